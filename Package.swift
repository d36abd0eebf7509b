// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every Swift target: Swift 6 mode and the upcoming features we adopt now.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

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

        // MARK: - Libraries

        .target(name: "ARLinkCore", swiftSettings: swiftSettings),
        .target(name: "ARLinkFormats", dependencies: ["ARLinkCore"], swiftSettings: swiftSettings),
        .target(name: "ARLinkEnvelope", dependencies: ["ARLinkCore", "COpenSSL", "CRNP"], swiftSettings: swiftSettings),
        .target(name: "ARLinkTransport", dependencies: ["ARLinkCore", "CCurl", "CCurlShims"], swiftSettings: swiftSettings),
        .target(
            name: "ARLinkStore",
            dependencies: [
                "ARLinkCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ARLinkAudit",
            dependencies: ["ARLinkCore", "ARLinkStore", "ARLinkEnvelope"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ARLinkConfig",
            dependencies: ["ARLinkCore", "ARLinkFormats", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        /// Plumbing shared by both pipelines: the run context (configuration, state, audit log,
        /// keys and transports built from the configuration) and the run report vocabulary.
        .target(
            name: "ARLinkJobs",
            dependencies: [
                "ARLinkCore", "ARLinkFormats", "ARLinkEnvelope", "ARLinkTransport", "ARLinkStore", "ARLinkAudit",
                "ARLinkConfig",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ARLinkOutbound",
            dependencies: [
                "ARLinkCore", "ARLinkFormats", "ARLinkEnvelope", "ARLinkTransport", "ARLinkStore", "ARLinkAudit",
                "ARLinkConfig", "ARLinkJobs",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ARLinkInbound",
            dependencies: [
                "ARLinkCore", "ARLinkFormats", "ARLinkEnvelope", "ARLinkTransport", "ARLinkStore", "ARLinkAudit",
                "ARLinkConfig", "ARLinkJobs",
            ],
            swiftSettings: swiftSettings
        ),
        /// The collection KPI report (issue 19): reads the ledger, the inbound tables and the KPI facts.
        .target(
            name: "ARLinkKPI",
            dependencies: ["ARLinkCore", "ARLinkFormats", "ARLinkStore"],
            swiftSettings: swiftSettings
        ),

        /// `arlink serve` (issue 17): schedules, HTTP endpoints (Hummingbird), metrics (swift-metrics with the
        /// Prometheus backend), alerts, graceful shutdown and reload (swift-service-lifecycle).
        .target(
            name: "ARLinkService",
            dependencies: [
                "ARLinkCore", "ARLinkConfig", "ARLinkJobs", "ARLinkOutbound", "ARLinkInbound", "ARLinkStore", "ARLinkAudit",
                "ARLinkEnvelope", "ARLinkTransport",
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
                "ARLinkJobs", "ARLinkFormats", "ARLinkStore", "ARLinkCore", "ARLinkKPI", "ARLinkService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "arlink-bench",
            dependencies: [
                "ARLinkOutbound", "ARLinkInbound", "ARLinkEnvelope", "ARLinkAudit", "ARLinkTransport", "ARLinkFormats", "ARLinkJobs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
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
            dependencies: ["ARLinkCore"],
            swiftSettings: swiftSettings
        ),

        // MARK: - Tests

        .testTarget(name: "ARLinkCoreTests", dependencies: ["ARLinkCore", "ARLinkTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ARLinkFormatsTests",
            dependencies: ["ARLinkFormats", "ARLinkCore", "ARLinkTestSupport"],
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
            dependencies: ["ARLinkOutbound", "ARLinkJobs", "ARLinkConfig", "ARLinkFormats", "ARLinkStore", "ARLinkTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ARLinkInboundTests",
            dependencies: [
                "ARLinkInbound", "ARLinkJobs", "ARLinkConfig", "ARLinkFormats", "ARLinkStore", "ARLinkEnvelope", "ARLinkCore",
                "ARLinkTestSupport", "ARLinkKPI", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ARLinkConfigTests", dependencies: ["ARLinkConfig", "ARLinkCore", "ARLinkFormats", "ARLinkTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ARLinkCLITests", dependencies: ["ARLinkTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ARLinkServiceTests",
            dependencies: ["ARLinkService", "ARLinkConfig", "ARLinkCore", "ARLinkJobs", "ARLinkTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
