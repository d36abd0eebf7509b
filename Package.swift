// swift-tools-version: 6.2
import PackageDescription

/// Settings shared by every Swift target: Swift 6 mode and the upcoming features we adopt now.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The shared settings plus strict memory safety (SE-0458): every target except ARLinkSystem,
/// ARLinkEnvelope, ARLinkTransport and the C shims, which own the unsafe code.
/// `scripts/strict-safety.sh` builds with its warnings treated as errors.
let strictSettings: [SwiftSetting] = swiftSettings + [.strictMemorySafety()]

let package = Package(
    name: "arlink",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "arlink", targets: ["arlink"]),
        .executable(name: "arlink-bench", targets: ["arlink-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // MARK: - C interop

        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CRNP",
            pkgConfig: "librnp",
            providers: [.apt(["librnp-dev"])]
        ),
        .target(
            name: "CCurlShims",
            dependencies: ["CCurl"],
            linkerSettings: [.linkedLibrary("curl")]
        ),
        /// Constants Glibc's Swift module leaves out (`O_DIRECT` needs `_GNU_SOURCE`).
        .target(name: "CSystemShims"),

        // MARK: - Libraries

        /// The one home of syscalls, errno, durable files, direct I/O, byte buffers, background
        /// work, hex, timestamps, random numbers and the pure-Swift SHA-256.
        .target(name: "ARLinkSystem", dependencies: ["CSystemShims"], swiftSettings: swiftSettings),
        .target(name: "ARLinkCore", dependencies: ["ARLinkSystem"], swiftSettings: strictSettings),
        .target(name: "ARLinkFormats", dependencies: ["ARLinkCore", "ARLinkSystem"], swiftSettings: strictSettings),
        .target(name: "ARLinkEnvelope", dependencies: ["ARLinkCore", "COpenSSL", "CRNP"], swiftSettings: swiftSettings),
        .target(name: "ARLinkTransport", dependencies: ["ARLinkCore", "ARLinkSystem", "CCurl", "CCurlShims"], swiftSettings: swiftSettings),
        .target(
            name: "ARLinkStore",
            dependencies: [
                "ARLinkCore", "ARLinkSystem", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ARLinkAudit",
            dependencies: ["ARLinkSystem", "ARLinkCore", "ARLinkStore", "ARLinkEnvelope"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ARLinkConfig",
            dependencies: ["ARLinkCore", "ARLinkSystem", "ARLinkFormats", "ARLinkLayouts", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        /// Plumbing shared by both pipelines: the run context (configuration, state, audit log,
        /// keys and transports built from the configuration) and the run report vocabulary.
        .target(
            name: "ARLinkJobs",
            dependencies: [
                "ARLinkSystem", "ARLinkCore", "ARLinkFormats", "ARLinkEnvelope", "ARLinkTransport", "ARLinkStore", "ARLinkAudit",
                "ARLinkConfig",
            ],
            swiftSettings: strictSettings
        ),
        /// The deterministic sample ERP extract (customers, open items, payments) used by the demo,
        /// the benchmarks and the tests; no pipeline depends on it.
        .target(name: "ARLinkSampleData", dependencies: ["ARLinkCore", "ARLinkSystem"], swiftSettings: strictSettings),
        .target(
            name: "ARLinkOutbound",
            dependencies: [
                "ARLinkSystem", "ARLinkCore", "ARLinkFormats", "ARLinkEnvelope", "ARLinkTransport", "ARLinkStore", "ARLinkAudit",
                "ARLinkConfig", "ARLinkJobs", "ARLinkLayouts",
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ARLinkInbound",
            dependencies: [
                "ARLinkSystem", "ARLinkCore", "ARLinkFormats", "ARLinkEnvelope", "ARLinkTransport", "ARLinkStore", "ARLinkAudit",
                "ARLinkConfig", "ARLinkJobs", "ARLinkLayouts",
            ],
            swiftSettings: swiftSettings
        ),
        /// Declarative partner file layouts (issue 14): the engine, Latitude AIM built in,
        /// and the mapping between layout records and arlink's portfolio records and events.
        .target(
            name: "ARLinkLayouts",
            dependencies: ["ARLinkCore", "ARLinkSystem", "ARLinkFormats", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        /// PostgreSQL state (issue 18): connections from `state.database`, the synchronous facade the
        /// jobs use, migrations, server-enforced append-only audit, leadership and fencing.
        .target(
            name: "ARLinkPostgres",
            dependencies: [
                "ARLinkCore", "ARLinkStore", "ARLinkSystem", "ARLinkConfig",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        /// The collection KPI report (issue 19): reads the ledger, the inbound tables and the KPI facts.
        .target(
            name: "ARLinkKPI",
            dependencies: ["ARLinkCore", "ARLinkFormats", "ARLinkStore"],
            swiftSettings: strictSettings
        ),

        /// `arlink serve` (issue 17): schedules, HTTP endpoints (Hummingbird), metrics (swift-metrics with the
        /// Prometheus backend), alerts, graceful shutdown and reload (swift-service-lifecycle).
        .target(
            name: "ARLinkService",
            dependencies: [
                "ARLinkCore", "ARLinkConfig", "ARLinkJobs", "ARLinkOutbound", "ARLinkInbound", "ARLinkStore", "ARLinkAudit",
                "ARLinkEnvelope", "ARLinkTransport", "ARLinkSystem",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: - Executables

        .executableTarget(
            name: "arlink",
            dependencies: [
                "ARLinkOutbound", "ARLinkInbound", "ARLinkConfig", "ARLinkEnvelope", "ARLinkAudit", "ARLinkTransport",
                "ARLinkJobs", "ARLinkFormats", "ARLinkStore", "ARLinkCore", "ARLinkKPI", "ARLinkSampleData", "ARLinkSystem", "ARLinkService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "arlink-bench",
            dependencies: [
                "ARLinkOutbound", "ARLinkInbound", "ARLinkEnvelope", "ARLinkAudit", "ARLinkTransport", "ARLinkFormats", "ARLinkJobs",
                "ARLinkSampleData", "ARLinkLayouts", "ARLinkSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        /// libFuzzer harness over the BER splitter and the envelope open path. Without
        /// `--sanitize fuzzer` it builds as a harmless no-op executable.
        .executableTarget(
            name: "arlink-fuzz",
            dependencies: ["ARLinkEnvelope"],
            swiftSettings: swiftSettings
        ),

        // MARK: - Test support

        .target(
            name: "ARLinkTestSupport",
            dependencies: ["ARLinkCore", "ARLinkSystem"],
            swiftSettings: swiftSettings
        ),

        // MARK: - Tests

        .testTarget(name: "ARLinkSystemTests", dependencies: ["ARLinkSystem", "ARLinkTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ARLinkCoreTests", dependencies: ["ARLinkCore", "ARLinkTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ARLinkFormatsTests",
            dependencies: ["ARLinkFormats", "ARLinkCore", "ARLinkSystem", "ARLinkTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ARLinkEnvelopeTests",
            dependencies: ["ARLinkEnvelope", "ARLinkCore", "ARLinkTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ARLinkTransportTests",
            dependencies: ["ARLinkTransport", "ARLinkCore", "ARLinkTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ARLinkStoreTests", dependencies: ["ARLinkStore", "ARLinkCore", .product(name: "GRDB", package: "GRDB.swift"), "ARLinkTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ARLinkAuditTests", dependencies: ["ARLinkAudit", "ARLinkEnvelope", "ARLinkStore", "ARLinkCore", "ARLinkTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ARLinkOutboundTests",
            dependencies: [
                "ARLinkOutbound", "ARLinkJobs", "ARLinkConfig", "ARLinkFormats", "ARLinkStore", "ARLinkTestSupport", "ARLinkSampleData",
                "ARLinkLayouts", "ARLinkSystem", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ARLinkSampleDataTests",
            dependencies: ["ARLinkSampleData", "ARLinkFormats", "ARLinkCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ARLinkInboundTests",
            dependencies: [
                "ARLinkInbound", "ARLinkJobs", "ARLinkConfig", "ARLinkFormats", "ARLinkStore", "ARLinkEnvelope", "ARLinkCore",
                "ARLinkTestSupport", "ARLinkKPI", "ARLinkLayouts", "ARLinkSystem", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ARLinkConfigTests", dependencies: ["ARLinkConfig", "ARLinkCore", "ARLinkFormats", "ARLinkLayouts", "ARLinkSystem", "ARLinkTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ARLinkLayoutsTests",
            dependencies: ["ARLinkLayouts", "ARLinkCore", "ARLinkFormats", "ARLinkTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ARLinkPostgresTests",
            dependencies: ["ARLinkPostgres", "ARLinkStore", "ARLinkConfig", "ARLinkCore", "ARLinkTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ARLinkCLITests", dependencies: ["ARLinkTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ARLinkServiceTests",
            dependencies: ["ARLinkService", "ARLinkConfig", "ARLinkCore", "ARLinkJobs", "ARLinkTestSupport", "ARLinkInbound", "ARLinkStore", "ARLinkEnvelope", "ARLinkSystem"],
            swiftSettings: swiftSettings
        ),
    ]
)
