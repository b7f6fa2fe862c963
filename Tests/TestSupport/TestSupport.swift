import Foundation
import ScratchTensor
import XCTest

/// Asserts two tensors have the same shape and elements within `tolerance`.
public func assertClose<T: TensorScalar>(
    _ actual: Tensor<T>, _ expected: Tensor<T>, tolerance: Double = 1e-6,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual.scalars, expected.scalars).enumerated()
    where Swift.abs(Double(a) - Double(e)) > tolerance {
        XCTFail("element \(i): \(a) vs expected \(e) (tolerance \(tolerance)) \(message)", file: file, line: line)
        return
    }
}

/// Asserts two arrays of numbers are equal within `tolerance`.
public func assertClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double = 1e-6,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() where Swift.abs(a - e) > tolerance {
        XCTFail("element \(i): \(a) vs expected \(e) (tolerance \(tolerance)) \(message)", file: file, line: line)
        return
    }
}

/// A tensor of standard-normal values scaled by `scale`, reproducible from `seed`.
public func randomTensor<T: TensorScalar>(_ shape: [Int], seed: UInt64, scale: Double = 1, as _: T.Type = T.self) -> Tensor<T> {
    var rng = RandomGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in T(scale * rng.normal()) })
}

/// Random class labels in 0..<classes.
public func randomLabels(_ count: Int, classes: Int = 10, seed: UInt64) -> [Int] {
    var rng = RandomGenerator(seed: seed)
    return rng.indices(count: count, below: classes)
}

/// Paths inside the repository, found from this file's location.
public enum RepositoryPaths {
    /// The repository root (the folder holding Package.swift).
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The real MNIST files: `$SCRATCHNET_DATA` or `../shared/data/mnist`, if present.
    public static var mnistDirectory: URL? {
        if let env = ProcessInfo.processInfo.environment["SCRATCHNET_DATA"], !env.isEmpty,
           FileManager.default.fileExists(atPath: env + "/train-images-idx3-ubyte.gz") {
            return URL(fileURLWithPath: env)
        }
        let shared = root.deletingLastPathComponent().appendingPathComponent("shared/data/mnist")
        return FileManager.default.fileExists(atPath: shared.path + "/train-images-idx3-ubyte.gz") ? shared : nil
    }
}
