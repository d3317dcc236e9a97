// swift-tools-version:6.2
import PackageDescription

/// One set of compiler settings for every target (hummingbird's choice of upcoming features).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "crowdspeed",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crowdspeed", targets: ["crowdspeed"]),
        .executable(name: "crowdspeed-agent", targets: ["crowdspeed-agent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // SHA-256 and secure random tokens (install, deletion and admin tokens). Already in the
        // graph through Hummingbird's dependencies; 3.x and 4.x share the API used.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // The scale-out backend's client (issue 13): connection pool, extended-protocol queries.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Metrics API (already in the graph through Hummingbird) and its Prometheus backend for `/metrics`.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Wire format, validation, units, machine identity. Foundation only.
        .target(name: "CrowdspeedCore", swiftSettings: swiftSettings),
        // Pure statistics: curves, optimum, formulas, regret.
        .target(name: "CrowdspeedFit", dependencies: ["CrowdspeedCore"], swiftSettings: swiftSettings),
        // Numbered SQL migrations, bundled so an installed binary finds them.
        .target(
            name: "CrowdspeedMigrations", path: "Migrations", resources: [.copy("sql"), .copy("postgres")],
            swiftSettings: swiftSettings),
        // Page templates and static assets, bundled the same way.
        .target(
            name: "CrowdspeedWeb", path: "Web", resources: [.copy("templates"), .copy("static")],
            swiftSettings: swiftSettings),
        .target(
            name: "CrowdspeedStore",
            dependencies: [
                "CrowdspeedCore", "CrowdspeedFit", "CrowdspeedMigrations",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL backend (issue 13): URL parsing, its migration runner, the store, and
        // where the two backends meet: `DatabaseLocation`, opening either, copying SQLite into it.
        .target(
            name: "CrowdspeedStorePostgres",
            dependencies: [
                "CrowdspeedCore", "CrowdspeedFit", "CrowdspeedStore", "CrowdspeedMigrations",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Only to read a SQLite file table by table for `crowdspeed copy`.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the product does, without HTTP: ingest (validate, derive, store, summarize), refit,
        // recommend, moderate. The server's controllers and the CLI commands call it.
        .target(
            name: "CrowdspeedPipeline",
            dependencies: [
                "CrowdspeedCore", "CrowdspeedFit", "CrowdspeedStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CrowdspeedServer",
            dependencies: [
                "CrowdspeedCore", "CrowdspeedFit", "CrowdspeedStore", "CrowdspeedStorePostgres", "CrowdspeedPipeline",
                "CrowdspeedWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Python workloads are embedded in the code by the plugin (no resource bundle), so the
        // agent is one self-contained file.
        .target(
            name: "CrowdspeedAgent",
            dependencies: ["CrowdspeedCore"],
            exclude: ["Workloads"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedWorkloads"]
        ),
        .executableTarget(name: "crowdspeed-embed", swiftSettings: swiftSettings),
        .plugin(
            name: "EmbedWorkloads", capability: .buildTool(), dependencies: ["crowdspeed-embed"],
            path: "Sources/EmbedWorkloadsPlugin"),
        .executableTarget(
            name: "crowdspeed",
            dependencies: [
                "CrowdspeedServer", "CrowdspeedPipeline", "CrowdspeedStore", "CrowdspeedStorePostgres", "CrowdspeedFit",
                "CrowdspeedCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "crowdspeed-agent",
            dependencies: [
                "CrowdspeedAgent", "CrowdspeedCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fixtures and harnesses shared by the test targets: realistic sweeps, every class of bad
        // input, the live server on a loopback port, and a real HTTP client.
        .target(
            name: "CrowdspeedTestSupport",
            dependencies: [
                "CrowdspeedServer", "CrowdspeedPipeline", "CrowdspeedCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/CrowdspeedTestSupport",
            swiftSettings: swiftSettings
        ),
        // What the store tests of both backends share: a fresh migrated store of either backend
        // (the live PostgreSQL of scripts/with-postgres), and realistic submissions.
        .target(
            name: "CrowdspeedStoreTestSupport",
            dependencies: [
                "CrowdspeedStore", "CrowdspeedStorePostgres", "CrowdspeedCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                // Only for the inspector's read-only look at a SQLite store's file.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/CrowdspeedStoreTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CrowdspeedCoreTests", dependencies: ["CrowdspeedCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CrowdspeedFitTests", dependencies: ["CrowdspeedFit", "CrowdspeedCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CrowdspeedStoreTests",
            dependencies: ["CrowdspeedStore", "CrowdspeedStoreTestSupport", "CrowdspeedFit", "CrowdspeedCore"],
            swiftSettings: swiftSettings),
        // The store's behaviour as the protocols promise it, every test run on both backends.
        .testTarget(
            name: "CrowdspeedStoreContractTests",
            dependencies: [
                "CrowdspeedStore", "CrowdspeedStorePostgres", "CrowdspeedStoreTestSupport", "CrowdspeedCore",
                "CrowdspeedFit", "CrowdspeedMigrations",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CrowdspeedPipelineTests",
            dependencies: ["CrowdspeedPipeline", "CrowdspeedStore", "CrowdspeedFit", "CrowdspeedCore"],
            swiftSettings: swiftSettings),
        // Runs against the live PostgreSQL that scripts/with-postgres starts (CROWDSPEED_TEST_POSTGRES_URL).
        .testTarget(
            name: "CrowdspeedStorePostgresTests",
            dependencies: [
                "CrowdspeedStorePostgres", "CrowdspeedMigrations", "CrowdspeedStore", "CrowdspeedPipeline",
                "CrowdspeedFit", "CrowdspeedCore", "CrowdspeedStoreTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                // Only to compare the two backends' schemas (SchemaParityTests).
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrowdspeedAgentTests",
            dependencies: ["CrowdspeedAgent", "CrowdspeedCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrowdspeedServerTests",
            dependencies: [
                "CrowdspeedServer", "CrowdspeedPipeline", "CrowdspeedStore", "CrowdspeedStorePostgres", "CrowdspeedFit",
                "CrowdspeedCore", "CrowdspeedTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // The real server on a loopback port with real clients: the HTTP API, restarts, the agent.
        .testTarget(
            name: "CrowdspeedEndToEndTests",
            dependencies: [
                "CrowdspeedServer", "CrowdspeedPipeline", "CrowdspeedStore", "CrowdspeedCore", "CrowdspeedAgent",
                "CrowdspeedTestSupport", "CrowdspeedFit", "CrowdspeedStorePostgres", "CrowdspeedStoreTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                // To open and check downloaded snapshots, and checksum them.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
