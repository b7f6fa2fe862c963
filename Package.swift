// swift-tools-version:6.1
import PackageDescription

// SIMD build flags for ScratchTensor (its own float32 matrix kernel, Sources/ScratchTensor/Kernels)
// and ScratchNN (the optimizers' vectorised update formulas).
//
// The kernel is written with Swift SIMD types. Compiled for the baseline x86-64 CPU, which is
// what SwiftPM does by default, each `addingProduct` on a SIMD16<Float> becomes 16 scalar
// `fmaf` calls: ~1 GFLOPS instead of 130–190. Swift has neither per-function target attributes
// nor an `#if` for CPU features, so the whole ScratchTensor module is compiled for a chosen
// CPU, and a compilation condition tells the code which kernel family that CPU runs.
// The environment variable SCRATCHNET_TARGET_CPU picks the CPU; nothing needs to be set:
//   unset or "native"  `-target-cpu native`: the machine doing the build, which is the machine
//                      running `swift build`/`swift test` (development, CI). SCRATCHNET_SIMD_NATIVE.
//   an LLVM CPU name   e.g. skylake-avx512 (any AVX-512 x86: Intel since 2017, AMD Zen 4/5), znver4,
//                      or haswell (any AVX2+FMA x86): for a binary copied to other machines.
//                      SCRATCHNET_SIMD_AVX512 / SCRATCHNET_SIMD_AVX2 (names not listed: no kernels).
//   "none"             no CPU flag and no kernels: every product goes to BLAS. For builds where
//                      `unsafeFlags` are not allowed (ScratchNet as another package's versioned
//                      dependency) or a binary that must run on any x86-64.
// `-Xcc -fno-math-errno` lets `squareRoot()` on SIMD vectors become one vector instruction
// (vsqrtps) instead of 16 scalar square roots each followed by an `errno` check: the C shim
// behind Float.squareRoot() is compiled with the importing module's clang flags. The results
// are the same (the square root is correctly rounded either way); only errno is not set.
// At run time the kernel is used only on x86-64 Linux, if the CPU reports the instruction set
// (/proc/cpuinfo) and a one-off self-check finds the code vectorised; otherwise, and on Apple
// platforms (Accelerate), every product goes to BLAS. See Sources/ScratchTensor/Kernels.
let scratchTensorSIMDSettings: [SwiftSetting] = {
    #if arch(x86_64)
    let cpu = Context.environment["SCRATCHNET_TARGET_CPU"] ?? "native"
    let avx512 = ["skylake-avx512", "skx", "cascadelake", "cooperlake", "cannonlake", "icelake-client",
                  "icelake-server", "rocketlake", "tigerlake", "sapphirerapids", "emeraldrapids",
                  "graniterapids", "graniterapids-d", "diamondrapids", "znver4", "znver5"]
    let avx2 = ["haswell", "core-avx2", "broadwell", "skylake", "alderlake", "raptorlake", "meteorlake",
                "arrowlake", "arrowlake-s", "lunarlake", "gracemont", "sierraforest", "znver1", "znver2", "znver3"]
    if cpu == "none" || cpu.isEmpty { return [] }
    let linux = BuildSettingCondition.when(platforms: [.linux])
    let condition = cpu == "native" ? "SCRATCHNET_SIMD_NATIVE"
        : avx512.contains(cpu) ? "SCRATCHNET_SIMD_AVX512"
        : avx2.contains(cpu) ? "SCRATCHNET_SIMD_AVX2" : "SCRATCHNET_SIMD_UNKNOWN"
    return [.unsafeFlags(["-target-cpu", cpu, "-Xcc", "-fno-math-errno"], linux), .define(condition, linux)]
    #else
    return []
    #endif
}()

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
        ], swiftSettings: scratchTensorSIMDSettings),
        // ScratchNN too: the optimizers' per-element formulas run on SIMD16 vectors
        // (Tensor.updateElements), which compile to 4-wide SSE with spills on the baseline CPU.
        .target(name: "ScratchNN", dependencies: ["ScratchTensor"], swiftSettings: scratchTensorSIMDSettings),
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

        // Checks (release build, after the tests: scripts/test.sh) that training steps allocate
        // nothing, counting with its own malloc (CAllocationCounter, glibc only).
        .target(name: "CAllocationCounter"),
        .executableTarget(name: "scratchnet-allocation-check", dependencies: ["ScratchTrain", "CAllocationCounter"]),

        // GFLOPS of BLAS vs ScratchTensor's kernel for the course's shapes (and the kernel generator).
        .executableTarget(name: "scratchnet-gemm-bench", dependencies: ["ScratchTensor"],
                          exclude: ["generate-micro-kernels.py"]),

        .target(name: "TestSupport", dependencies: ["ScratchTensor"], path: "Tests/TestSupport"),
        .testTarget(name: "ScratchTensorTests", dependencies: ["ScratchTensor", "TestSupport"]),
        .testTarget(name: "ScratchNNTests", dependencies: ["ScratchNN", "TestSupport"]),
        .testTarget(name: "ScratchDataTests", dependencies: ["ScratchData", "TestSupport"]),
        .testTarget(name: "ScratchTrainTests", dependencies: ["ScratchTrain", "TestSupport"]),
        .testTarget(name: "ScratchReportTests", dependencies: ["ScratchReport"]),
        .testTarget(name: "ScratchLabTests", dependencies: ["ScratchLab", "TestSupport"]),
        .testTarget(name: "ScratchCLITests", dependencies: ["scratchnet", "ScratchData", "ScratchReport", "TestSupport"]),
    ]
)
