import CrowdspeedCore
import Foundation

/// Fingerprints the machine the agent runs on, choosing the probe for the platform.
public enum MachineProbe {
    /// This machine's facts.
    public static func current() throws -> MachineInfo {
        #if os(Linux)
            return try LinuxProbe.live().machineInfo()
        #elseif os(macOS)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/sysctl")
            // Unknown keys (no L3 on Apple silicon) make sysctl complain but still print the rest.
            process.arguments = SysctlProbe.keys
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return try SysctlProbe(output: String(decoding: data, as: UTF8.self)).machineInfo()
        #else
            throw ProbeError.unsupportedPlatform("this operating system")
        #endif
    }
}
