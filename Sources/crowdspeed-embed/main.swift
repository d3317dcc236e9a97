import Foundation

// Writes a Swift file declaring `EmbeddedWorkloads.files`: each input file's name and its
// contents in base64 (no escaping question can arise). Usage: crowdspeed-embed OUTPUT INPUT...
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: crowdspeed-embed OUTPUT INPUT...\n".utf8))
    exit(2)
}
var lines = [
    "// Generated at build time by crowdspeed-embed from the Workloads directory; do not edit.",
    "import Foundation",
    "",
    "/// The workload scripts, embedded: file name and base64 contents.",
    "enum EmbeddedWorkloads {",
    "    static let files: [(name: String, base64: String)] = [",
]
for path in arguments.dropFirst() {
    let url = URL(fileURLWithPath: path)
    let data = try Data(contentsOf: url)
    lines.append("        (\"\(url.lastPathComponent)\", \"\(data.base64EncodedString())\"),")
}
lines += ["    ]", "}", ""]
try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
