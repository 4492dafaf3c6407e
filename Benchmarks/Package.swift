// swift-tools-version: 6.1
// The benchmark package: its own manifest so that `swift build` of the library never
// resolves package-benchmark. Run with `swift package --disable-sandbox benchmark` here.
import Foundation
import PackageDescription

/// A path dependency's identity is its folder's name, which is `main` in the shared
/// checkout and something else in a fresh clone: read it off this manifest's location.
let rootIdentity = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "CustomerLedgerBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // jemalloc is not on this machine: the malloc interposer trait stands in for it
        // (and leaves out the runtime interposer, whose package is not mirrored here).
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // lmdb.h for the raw-C baselines. A name of its own: the root package's `CLMDB` is
        // internal to the engine.
        .systemLibrary(name: "CLMDBRaw", path: "Sources/CLMDBRaw", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // The workloads and the raw loops, shared by the benchmarks and the profiling tool.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "CustomerLedger", package: rootIdentity), "CLMDBRaw"]
        ),
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: [
                .product(name: "CustomerLedger", package: rootIdentity),
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // One workload at a time without package-benchmark, for perf and valgrind.
        .executableTarget(
            name: "LedgerProfile",
            dependencies: [.product(name: "CustomerLedger", package: rootIdentity), "BenchmarkSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
