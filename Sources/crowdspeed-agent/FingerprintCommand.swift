import ArgumentParser
import CrowdspeedAgent
import CrowdspeedCore
import Foundation

/// `crowdspeed-agent fingerprint`: shows the hardware facts a submission would carry.
struct FingerprintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Show this machine's hardware facts (no hostname, user name, MAC or serial numbers)."
    )

    @Flag(help: "Print the wire form (the `machine` object of a submission) as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Read procfs/sysfs under this directory instead of /.", visibility: .hidden))
    var root: String?

    func run() async throws {
        let machine: MachineInfo
        do {
            if let root {
                machine = try LinuxProbe(root: URL(fileURLWithPath: root), arch: LinuxProbe.live().arch).machineInfo()
            } else {
                machine = try MachineProbe.current()
            }
        } catch {
            Console.error("cannot fingerprint this machine: \(error)")
            throw ExitCode.failure
        }
        if json {
            let data = try WireCoding.makeEncoder(pretty: true).encode(machine)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(machine.table)
        }
    }
}
