// swift-tools-version: 6.1
import PackageDescription

/// Strictness every target opts into (see docs/style in the shared docs): existential
/// `any` spelled out, imports internal unless marked public.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "CustomerLedger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CustomerLedger", targets: ["CustomerLedger"]),
        .library(name: "LedgerJSONLines", targets: ["LedgerJSONLines"]),
        .executable(name: "ledger", targets: ["ledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // LMDB from the system (Debian: liblmdb-dev). Never vendored.
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"]), .brew(["lmdb"])]
        ),
        // The engine-free core: streams, positions, versions, the store protocol, subscriptions.
        .target(name: "LedgerCore", swiftSettings: strictSettings),
        // The LMDB engine behind the core's protocol.
        .target(
            name: "LedgerLMDB",
            dependencies: ["LedgerCore", "CLMDB", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The product a service imports.
        .target(
            name: "CustomerLedger",
            dependencies: ["LedgerCore", "LedgerLMDB", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The JSON Lines codec of import and export (docs/jsonl-format.md), for the tool, the
        // fuzzer and hosts that read or write the format themselves.
        .target(name: "LedgerJSONLines", dependencies: ["CustomerLedger", "LedgerCore"], swiftSettings: strictSettings),
        .executableTarget(
            name: "ledger",
            dependencies: [
                "CustomerLedger",
                "LedgerJSONLines",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // What fault tests and the process they kill share (not a product).
        .target(name: "LedgerFaultSupport", dependencies: ["CustomerLedger"], path: "Sources/LedgerFaultSupport", swiftSettings: strictSettings),
        // The process fault tests kill (not a product): appends known batches or runs a projection.
        .executableTarget(name: "ledger-worker", dependencies: ["CustomerLedger", "LedgerFaultSupport"], swiftSettings: strictSettings),
        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "CustomerLedgerTests",
            dependencies: ["CustomerLedger", "LedgerFaultSupport", "ledger-worker"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerCommandTests",
            dependencies: ["CustomerLedger", "LedgerJSONLines", "ledger"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerLMDBTests",
            dependencies: ["CustomerLedger", "LedgerLMDB", "CLMDB", "ledger"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
