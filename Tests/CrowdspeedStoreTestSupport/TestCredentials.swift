import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// Ingest credentials for trust tests, with the clear tokens they hash.
public enum TestCredentials {
    /// Credentials with fresh install and deletion tokens, presenting the clear install token
    /// `install` when given.
    public static func make(presenting install: String? = nil) -> (
        IngestCredentials, newInstall: String, deletion: String
    ) {
        let newInstall = SecretToken.generate()
        let deletion = SecretToken.generate()
        return (
            IngestCredentials(
                presentedInstallHash: install.map(SecretToken.digest), newInstallHash: SecretToken.digest(newInstall),
                deletionHash: SecretToken.digest(deletion)), newInstall, deletion
        )
    }
}

extension SubmissionFixture {
    /// Submission number `n` (id `00000000-0000-4000-8000-00000000000n`, seed `n`) of three rounds
    /// on `machine`: tests refer to each run by its number.
    public static func numbered(_ n: Int, machine: MachineInfo = SubmissionFixture.epyc2Core) -> Submission {
        SubmissionFixture(
            id: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))!, machine: machine, rounds: 3,
            seed: UInt64(n)
        ).build()
    }
}
