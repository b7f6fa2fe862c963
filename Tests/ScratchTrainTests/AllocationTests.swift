import CAllocationCounter
import ScratchData
import ScratchNN
import ScratchTensor
@testable import ScratchTrain
import XCTest

/// Once its buffers exist, a training step allocates nothing: every layer writes its output
/// and gradients over the last step's, the minibatches are gathered into buffers kept from
/// batch to batch (on the second core, by the ``MinibatchLoader``'s own thread), and the
/// optimizers update in place. Counted with the test executable's own `malloc`
/// (CAllocationCounter), every thread together, between iterations 50 and 150 of a run that
/// records nothing in between.
final class AllocationTests: XCTestCase {
    private struct Case {
        let name: String
        let network: MultiLayerNetConfiguration
        let optimizer: OptimizerKind
        let batchSize: Int
        var threads: Int? = nil
    }

    func testTrainingStepsAllocateNothingOnceTheirBuffersExist() throws {
        guard scratchnet_allocation_count() >= 0 else { throw XCTSkip("allocations are counted only with glibc") }
        let mnist: MNISTDataset<Float> = try MNIST.load(from: .bundledSample)
        let training = LabeledImages(images: mnist.train.images, labels: mnist.train.labels)
        let test = LabeledImages(images: mnist.test.images, labels: mnist.test.labels)
        let sigmoid = MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .sigmoid, weightInit: .xavier)
        let cases = [
            // 200 × 100 rows of 5,000: sparse minibatches (the set stored by its nonzeros).
            Case(name: "sigmoid, SGD, sparse", network: sigmoid, optimizer: .sgd(learningRate: 0.1), batchSize: 100),
            Case(name: "sigmoid, SGD, sparse, one core", network: sigmoid, optimizer: .sgd(learningRate: 0.1),
                 batchSize: 100, threads: 1),
            // 200 × 20 rows of 5,000: dense minibatches.
            Case(name: "ReLU, Momentum, dense",
                 network: MultiLayerNetConfiguration(hiddenSizes: [50, 30], activation: .relu, weightInit: .he),
                 optimizer: .momentum(learningRate: 0.01), batchSize: 20),
            Case(name: "tanh, batch norm, Adam",
                 network: MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .tanh, weightInit: .xavier,
                                                     batchNorm: true),
                 optimizer: .adam(learningRate: 0.001), batchSize: 100),
            Case(name: "dropout, L1 + L2, RMSProp",
                 network: MultiLayerNetConfiguration(hiddenSizes: [100, 100, 100], activation: .relu, weightInit: .he,
                                                     dropout: 0.15, weightDecay: WeightDecay(l2: 0.01, l1: 0.001)),
                 optimizer: .rmsprop(learningRate: 0.001), batchSize: 100),
        ]
        for c in cases {
            let network = MultiLayerNet<Float>(c.network, seed: 3)
            var optimizer = c.optimizer.make(Float.self)
            let configuration = TrainingConfiguration(schedule: .iterations(200), batchSize: c.batchSize, evaluateEvery: 1000)
            var counts: [Int64] = []
            counts.reserveCapacity(2)
            let history = GEMMSelection.$threadLimit.withValue(c.threads) {
                Trainer<MultiLayerNet<Float>>(configuration).train(
                    network, optimizer: &optimizer, training: training, test: test,
                    onProgress: { progress in
                        if progress.iteration == 50 || progress.iteration == 150 { counts.append(scratchnet_allocation_count()) }
                    })
            }
            XCTAssertEqual(history.iterations, 200, c.name)
            XCTAssertEqual(counts.count, 2, c.name)
            XCTAssertEqual(counts[1] - counts[0], 0, "\(c.name): allocations in 100 training steps")
        }
    }

    /// The counter counts (else the test above could not fail).
    func testTheCounterSeesAllocations() throws {
        let before = scratchnet_allocation_count()
        guard before >= 0 else { throw XCTSkip("allocations are counted only with glibc") }
        let tensor = Tensor<Float>(shape: [1000], repeating: 1)
        XCTAssertGreaterThan(scratchnet_allocation_count() - before, 0)
        XCTAssertEqual(tensor.count, 1000)
    }
}
