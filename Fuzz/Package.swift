// swift-tools-version: 6.1
// The fuzzing package: its own manifest so that the library's build never sees the
// sanitizer flags. Scripts/fuzz builds the two fuzz targets with libFuzzer and runs them
// over a copy of the committed seed corpus (Corpus/<target>/); see Fuzz/README.md.
import Foundation
import PackageDescription

/// A path dependency's identity is its folder's name, which is `main` in the shared
/// checkout and something else in a fresh clone: read it off this manifest's location.
let rootIdentity = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().lastPathComponent.lowercased()

/// The same strictness as the root package's targets.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let customerLedger = Target.Dependency.product(name: "CustomerLedger", package: rootIdentity)
let jsonLines = Target.Dependency.product(name: "LedgerJSONLines", package: rootIdentity)

let package = Package(
    name: "CustomerLedgerFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        // What the fuzz targets and the seed writer share: the input layouts and the checks.
        .target(name: "FuzzSupport", dependencies: [customerLedger], swiftSettings: strictSettings),
        // One JSON Lines input (one or more lines) through the importer's own line decoder,
        // the LedgerJSONLines library that `ledger import` runs.
        .executableTarget(
            name: "FuzzImportLine",
            dependencies: [customerLedger, jsonLines, "FuzzSupport"],
            swiftSettings: strictSettings
        ),
        // One built-in payload in the binary layout (content type 2) through the public
        // decoder, `CustomerEvent(decoding:)`, and the export/import round trip.
        .executableTarget(
            name: "FuzzBinaryDecoder",
            dependencies: [customerLedger, "FuzzSupport"],
            swiftSettings: strictSettings
        ),
        // Writes the seed corpus (Corpus/); built without the sanitizers: `swift run FuzzSeeds`.
        .executableTarget(
            name: "FuzzSeeds",
            dependencies: [customerLedger, "FuzzSupport"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
