import ArgumentParser
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation

/// What `admin quarantine` and `admin release` share: apply, audit as `admin-cli`, report.
enum AdminModeration {
    /// Sets the quarantine state; exits 1 when the target does not exist.
    static func apply(quarantined: Bool, database: DatabaseOptions, target options: ModerationTargetOptions)
        async throws
    {
        let target = try options.target()
        let outcome = try await database.withStores { stores in
            try await Pipeline(stores: stores).setQuarantine(
                target, quarantined: quarantined, reason: options.reason, actor: "admin-cli", at: Date())
        }
        let verb = quarantined ? "quarantined" : "released"
        switch outcome {
        case .changed: print("\(target) \(verb)")
        case .unchanged: print("\(target) was already \(verb)")
        case .notFound:
            FileHandle.standardError.write(Data("no \(target) in \(try database.location())\n".utf8))
            throw ExitCode(1)
        }
    }
}
