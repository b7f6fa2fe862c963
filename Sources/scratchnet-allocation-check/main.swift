// Checks that a training step allocates nothing once its buffers exist: every layer writes its
// output and gradients over the last step's, the minibatches are gathered into buffers kept
// from batch to batch (on the second core by the MinibatchLoader's own thread), and the
// optimizers update in place. `scripts/test.sh` runs it after the test suite.
//
// It counts with this executable's own `malloc` and its kin (CAllocationCounter: glibc only),
// every thread together, over the middle steps of runs that record nothing in between, and
// exits with status 1 if any step allocated. It is a release-built executable and not an
// XCTest case: unoptimised code allocates at every generic call, so the property holds only
// in optimised builds, and test code built with `-Onone` linking ScratchNet modules built with
// `-O` lost a test closure's writes to a captured array (Swift 6.3 here; the same test passed
// with both unoptimised, and under AddressSanitizer and ThreadSanitizer it showed no error).
import CAllocationCounter
import Foundation
import ScratchData
import ScratchNN
import ScratchTensor
import ScratchTrain

guard scratchnet_allocation_count() >= 0 else {
    print("Allocations are counted only with glibc: nothing checked here.")
    exit(0)
}
// The counter counts (else this check could not fail).
let before = scratchnet_allocation_count()
let probe = [Float](repeating: 1, count: Int(CommandLine.arguments.count) * 1000)
guard scratchnet_allocation_count() > before, probe.count > 0 else {
    print("error: the allocation counter saw no allocation; it is not counting.")
    exit(1)
}

/// Allocations between iterations `window` of a run of `network` (the trainer's own loop,
/// with the loader and, where set, one core), or nil if the window was not reached.
func allocations<Net: Network<Float>>(_ network: Net, optimizer: OptimizerKind, batchSize: Int,
                                      images: MNISTDataset<Float>, window: ClosedRange<Int>, threads: Int? = nil) -> Int64? {
    let training = LabeledImages(images: images.train.images, labels: images.train.labels)
    let test = LabeledImages(images: images.test.images, labels: images.test.labels)
    var optimizer = optimizer.make(Float.self)
    let configuration = TrainingConfiguration(schedule: .iterations(window.upperBound + 10), batchSize: batchSize,
                                              evaluateEvery: 100_000)
    var counts: [Int64] = []
    counts.reserveCapacity(2)
    _ = GEMMSelection.$threadLimit.withValue(threads) {
        Trainer<Net>(configuration).train(network, optimizer: &optimizer, training: training, test: test, onProgress: { progress in
            if progress.iteration == window.lowerBound || progress.iteration == window.upperBound {
                counts.append(scratchnet_allocation_count())
            }
        })
    }
    return counts.count == 2 ? counts[1] - counts[0] : nil
}

let flat: MNISTDataset<Float> = try MNIST.load(from: .bundledSample)
let images: MNISTDataset<Float> = try MNIST.load(from: .bundledSample, flatten: false)
let sigmoid = MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .sigmoid, weightInit: .xavier)
// 5,000 images: 200 steps of 100 sample them sparse (stored by their nonzeros), of 20 dense.
let cases: [(name: String, steps: Int, count: () throws -> Int64?)] = [
    ("784-40-20-10 sigmoid, SGD, sparse minibatches", 100, {
        allocations(MultiLayerNet<Float>(sigmoid, seed: 3), optimizer: .sgd(learningRate: 0.1), batchSize: 100,
                    images: flat, window: 50...150)
    }),
    ("the same on one core (no loader)", 100, {
        allocations(MultiLayerNet<Float>(sigmoid, seed: 3), optimizer: .sgd(learningRate: 0.1), batchSize: 100,
                    images: flat, window: 50...150, threads: 1)
    }),
    ("784-50-30-10 ReLU, Momentum, dense minibatches", 100, {
        allocations(MultiLayerNet<Float>(MultiLayerNetConfiguration(hiddenSizes: [50, 30], activation: .relu, weightInit: .he), seed: 3),
                    optimizer: .momentum(learningRate: 0.01), batchSize: 20, images: flat, window: 50...150)
    }),
    ("tanh, batch norm, Adam", 100, {
        allocations(MultiLayerNet<Float>(MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .tanh,
                                                                    weightInit: .xavier, batchNorm: true), seed: 3),
                    optimizer: .adam(learningRate: 0.001), batchSize: 100, images: flat, window: 50...150)
    }),
    ("3×100 ReLU, dropout, L1 + L2, RMSProp", 100, {
        allocations(MultiLayerNet<Float>(MultiLayerNetConfiguration(hiddenSizes: [100, 100, 100], activation: .relu, weightInit: .he,
                                                                    dropout: 0.15, weightDecay: WeightDecay(l2: 0.01, l1: 0.001)), seed: 3),
                    optimizer: .rmsprop(learningRate: 0.001), batchSize: 100, images: flat, window: 50...150)
    }),
    ("SimpleConvNet, Adam", 50, {
        allocations(try SimpleConvNet<Float>(seed: 1), optimizer: .adam(learningRate: 0.001), batchSize: 50,
                    images: images, window: 20...70)
    }),
    ("DeepConvNet (padding, dropout), Adam", 50, {
        allocations(try DeepConvNet<Float>(seed: 1), optimizer: .adam(learningRate: 0.001), batchSize: 10,
                    images: images, window: 20...70)
    }),
]
var failed = false
print("Heap allocations in steady-state training steps (every thread; bundled MNIST sample):")
for c in cases {
    guard let count = try c.count() else {
        print("error: \(c.name): the run ended before its counting window")
        failed = true
        continue
    }
    print("  \(count == 0 ? "ok  " : "FAIL") \(c.name): \(count) in \(c.steps) steps")
    if count != 0 { failed = true }
}
if failed {
    print("error: training steps allocated; each step should write over the buffers of the one before.")
    exit(1)
}
