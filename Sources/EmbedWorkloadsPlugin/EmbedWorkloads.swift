import Foundation
import PackagePlugin

/// Embeds the agent's Python workloads (`Workloads/*.py` of the target) into the binary as a
/// generated Swift file, so that a single downloaded `crowdspeed-agent` carries its scripts:
/// a resource bundle would have to travel beside the executable, and `Bundle.module` stops the
/// process when it is missing.
@main
struct EmbedWorkloads: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let directory = target.directoryURL.appending(path: "Workloads")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path())
            .filter { $0.hasSuffix(".py") }.sorted()
        let inputs = names.map { directory.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWorkloads.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(names.joined(separator: ", ")) into \(target.name)",
                executable: try context.tool(named: "crowdspeed-embed").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs, outputFiles: [output])
        ]
    }
}
