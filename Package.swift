// swift-tools-version:6.1
import PackageDescription

// Dependencies flow one way:
//   ScratchTensor ← ScratchNN ← ScratchTrain ← ScratchLab ← scratchnet (CLI)
//   ScratchData needs only ScratchTensor; ScratchReport needs nothing of ours.
let package = Package(
    name: "ScratchNet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ScratchNet", targets: ["ScratchTensor", "ScratchNN", "ScratchData", "ScratchTrain", "ScratchReport", "ScratchLab"]),
        .executable(name: "scratchnet", targets: ["scratchnet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries: OpenBLAS (Accelerate on Apple platforms) and zlib.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),

        .target(name: "ScratchTensor", dependencies: [
            .target(name: "CBLAS", condition: .when(platforms: [.linux])),
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "ScratchNN", dependencies: ["ScratchTensor"]),
        .target(name: "ScratchData", dependencies: [
                    "ScratchTensor", "CZlib",
                    .product(name: "Crypto", package: "swift-crypto"),
                ],
                resources: [.copy("Resources/mnist-sample")]),
        .target(name: "ScratchTrain", dependencies: ["ScratchNN", "ScratchData"]),
        .target(name: "ScratchReport"),
        .target(name: "ScratchLab", dependencies: ["ScratchTrain", "ScratchReport"]),
        .executableTarget(name: "scratchnet", dependencies: [
            "ScratchLab",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", dependencies: ["ScratchTensor"], path: "Tests/TestSupport"),
        .testTarget(name: "ScratchTensorTests", dependencies: ["ScratchTensor", "TestSupport"]),
        .testTarget(name: "ScratchNNTests", dependencies: ["ScratchNN", "TestSupport"]),
        .testTarget(name: "ScratchDataTests", dependencies: ["ScratchData", "TestSupport"]),
        .testTarget(name: "ScratchTrainTests", dependencies: ["ScratchTrain", "TestSupport"]),
        .testTarget(name: "ScratchReportTests", dependencies: ["ScratchReport"]),
        .testTarget(name: "ScratchCLITests", dependencies: ["scratchnet", "TestSupport"]),
    ]
)
