import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedFit
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// Simulated populations ingested through the server's own ingest path, and router tests over
/// them. The 150-machine database is built once per test process and copied for each test.
enum FitPopulation {
    /// The receiving clock of every population ingest.
    static let receivedAt = Date(timeIntervalSince1970: 1_790_000_000)

    /// Machines `range` of the seeded population, their submissions relabelled with `source`.
    static func machines(_ range: Range<Int>, seed: UInt64 = 7, source: SubmissionSource) -> [SimulatedMachine] {
        let simulator = PopulationSimulator(seed: seed)
        return range.map { index in
            var machine = simulator.machine(at: index)
            machine.submission.source = source
            return machine
        }
    }

    /// Ingests `machines` through the ``Pipeline`` (validation, curve derivation, machine summaries).
    static func ingest(_ machines: [SimulatedMachine], into store: SQLiteResultStore, minute: Int = 0) async throws {
        let ingestor = Pipeline(stores: StoreCapabilities(store))
        for (offset, machine) in machines.enumerated() {
            _ = try await ingestor.ingest(
                machine.submission, receivedAt: receivedAt.addingTimeInterval(Double(minute * 60 + offset)))
        }
    }

    /// A scratch directory removed when `body` returns.
    static func withDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "crowdspeed-fit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    /// The path of a database holding machines 0..<150 as agent submissions (no formula yet),
    /// built once. Its store is closed (``SQLiteResultStore/close()``: its drain task ended,
    /// every connection closed) before the path is returned, so nothing writes to it any more.
    static func template() async throws -> String {
        try await Template.shared.path()
    }

    /// A fresh copy of ``template()`` at `path`, made through SQLite (never as a file, which
    /// would miss what is still in the WAL), opened.
    static func copyOfTemplate(at path: String) async throws -> SQLiteResultStore {
        try SQLiteResultStore.copyDatabase(at: try await template(), to: path)
        return try SQLiteResultStore(path: path)
    }

    /// Builds the template once per process.
    private actor Template {
        static let shared = Template()
        private var built: String?

        func path() async throws -> String {
            if let built { return built }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "crowdspeed-fit-template-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("population.sqlite").path
            try await Self.fill(path)
            built = path
            return path
        }

        /// Ingests the population into a store that is closed before returning.
        private static func fill(_ path: String) async throws {
            let store = try SQLiteResultStore(path: path)
            try await FitPopulation.ingest(FitPopulation.machines(0..<150, source: .agent), into: store)
            try await store.close()
        }
    }

    /// Runs `test` against the router over `store`, with `demo` deciding the formula scope.
    static func withRouter<T: Sendable>(
        store: SQLiteResultStore, demo: Bool = false, path: String,
        _ test: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        var configuration = Configuration(databasePath: path, logLevel: .warning, demo: demo)
        configuration.port = 0
        configuration.addressRateLimit = nil
        configuration.installRateLimit = nil
        let router = buildRouter(
            pipeline: Pipeline(stores: StoreCapabilities(store), limits: configuration.limits),
            configuration: configuration, now: { SweepFixture.now })
        var logger = Logger(label: "crowdspeed.fit-test")
        logger.logLevel = .warning
        return try await Application(router: router, logger: logger).test(.router) { client in try await test(client) }
    }
}
