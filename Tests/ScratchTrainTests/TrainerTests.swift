import ScratchData
import ScratchNN
import ScratchTensor
@testable import ScratchTrain
import TestSupport
import XCTest

/// The trainer's sparse path (an MLP trained on images stored by their nonzero pixels) gives
/// the dense path's results.
final class TrainerTests: XCTestCase {
    private func sample() throws -> MNISTDataset<Float> { try MNIST.load(from: .bundledSample) }

    /// The MLP twice from one seed: as is (sparse minibatches), and behind a Flatten layer,
    /// which the sparse path does not take (dense minibatches).
    private func train(_ configuration: MultiLayerNetConfiguration, _ training: TrainingConfiguration,
                       trainingImages: LabeledImages<Float>, test: LabeledImages<Float>) -> (sparse: History, dense: History) {
        func run<Net: Network<Float>>(_ net: Net) -> History {
            var optimizer: any Optimizer<Float> = SGD<Float>(learningRate: 0.1)
            return Trainer<Net>(training).train(net, optimizer: &optimizer, training: trainingImages, test: test)
        }
        let mlp = MultiLayerNet<Float>(configuration, seed: 7)
        let flattened = Sequential<Float>([Flatten<Float>()] + MultiLayerNet<Float>(configuration, seed: 7).layers,
                                          weightDecay: configuration.weightDecay)
        return (run(mlp), run(flattened))
    }

    private func assertSameRun(_ runs: (sparse: History, dense: History), file: StaticString = #filePath, line: UInt = #line) {
        let (sparse, dense) = runs
        XCTAssertEqual(sparse.records.count, dense.records.count, file: file, line: line)
        XCTAssertEqual(sparse.outcome, dense.outcome, file: file, line: line)
        // The first loss before any update differs only by rounding; later ones drift apart slowly.
        XCTAssertEqual(sparse.records[0].loss, dense.records[0].loss, accuracy: 1e-3 * dense.records[0].loss, file: file, line: line)
        XCTAssertEqual(sparse.finalTrainAccuracy!, dense.finalTrainAccuracy!, accuracy: 0.01, file: file, line: line)
        XCTAssertEqual(sparse.finalTestAccuracy!, dense.finalTestAccuracy!, accuracy: 0.01, file: file, line: line)
    }

    func testSparseMinibatchesTrainLikeDenseOnes() throws {
        let mnist = try sample()
        let training = LabeledImages(images: mnist.train.images, labels: mnist.train.labels)
        let test = LabeledImages(images: mnist.test.images, labels: mnist.test.labels)
        let network = MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .relu, weightInit: .he)
        // 300 × 100 rows drawn from 5,000 images: the trainer stores them by their nonzeros.
        let configuration = TrainingConfiguration(schedule: .iterations(300), evaluateEvery: 100)
        guard case .sparse = NetworkImages(training.images, for: MultiLayerNet<Float>(network), sampledRows: 300 * 100) else {
            return XCTFail("the sparse path was not taken")
        }
        assertSameRun(train(network, configuration, trainingImages: training, test: test))
    }

    func testSparsePathWithTrainingSetAccuracyDropoutAndEpochs() throws {
        let mnist = try sample()
        let training = LabeledImages(images: mnist.train.images, labels: mnist.train.labels).prefix(300)
        let test = LabeledImages(images: mnist.test.images, labels: mnist.test.labels)
        let network = MultiLayerNetConfiguration(hiddenSizes: [100, 100], activation: .relu, weightInit: .he,
                                                 dropout: 0.15, weightDecay: WeightDecay(l2: 0.01))
        let configuration = TrainingConfiguration(schedule: .epochs(20), evaluateEvery: 20, trainAccuracySource: .trainingSet)
        assertSameRun(train(network, configuration, trainingImages: training, test: test))
    }

    /// The loader hands out the batches asked for, in order, as gathered in place (sparse
    /// ones also listed by column), then nothing until asked again.
    func testTheLoaderPreparesTheBatchesAskedFor() throws {
        let images = try sample().train.images.rows(0..<500)
        let groups = [[3, 1, 4], [499, 0], [7, 7, 7], []]
        for set in [NetworkImages<Float>.dense(images), .sparse(SparseRows(images))] {
            let loader = MinibatchLoader(set)
            XCTAssertNil(loader.next())
            for round in 0..<2 {
                let group = round == 0 ? groups : [[42]]
                loader.prepare(group.count) { i, list in list = group[i] }
                for indices in group {
                    let prepared = try XCTUnwrap(loader.next())
                    XCTAssertEqual(prepared.indices, indices)
                    var gathered: NetworkImages<Float>?
                    set.batch(indices, into: &gathered)
                    switch (prepared.rows, gathered!) {
                    case (.dense(let a), .dense(let b)): XCTAssertEqual(a, b)
                    case (.sparse(let a), .sparse(let b)):
                        XCTAssertEqual(a, b)
                        XCTAssertTrue(a.isIndexedByColumn)
                        XCTAssertFalse(b.isIndexedByColumn)
                        XCTAssertEqual(a.densified(), images.gatherRows(indices))
                    default: XCTFail("the batch changed form")
                    }
                }
                XCTAssertNil(loader.next())
            }
        }
    }

    /// With a second core the minibatches are prepared there (``MinibatchLoader``) and each
    /// recorded iteration is evaluated there on a snapshot while training goes on
    /// (``DeferredEvaluation``); the run is the one-core run to the last bit, and `onRecord`
    /// sees each recorded iteration's gradients all the same. Also with the whole training set's
    /// accuracy, batch norm and dropout.
    func testWorkOnTheSecondCoreLeavesTheRunAsOnOneCore() throws {
        guard GEMMSelection.cores >= 2 else { throw XCTSkip("needs two cores") }
        let mnist = try sample()
        let training = LabeledImages(images: mnist.train.images, labels: mnist.train.labels).prefix(1000)
        let test = LabeledImages(images: mnist.test.images, labels: mnist.test.labels)
        // 1,000 rows sampled at least twice over (sparse minibatches, listed by column on the
        // second core), and less (dense ones).
        let runs = [
            (MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .sigmoid, weightInit: .xavier),
             TrainingConfiguration(schedule: .iterations(95), evaluateEvery: 20), 5),   // 20, 40, 60, 80, 95
            (MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .sigmoid, weightInit: .xavier),
             TrainingConfiguration(schedule: .iterations(15), evaluateEvery: 5), 3),
            (MultiLayerNetConfiguration(hiddenSizes: [50, 30], activation: .relu, weightInit: .he, batchNorm: true, dropout: 0.2),
             TrainingConfiguration(schedule: .iterations(40), evaluateEvery: 10, trainAccuracySource: .trainingSet), 4),
        ]
        for (network, configuration, records) in runs {
            /// The history, each record's gradient norms, and whether `onRecord` got snapshots.
            func run() -> (History, [[Float]], [Bool]) {
                var gradients: [[Float]] = [], snapshots: [Bool] = []
                var reported: [Record] = []
                var optimizer: any Optimizer<Float> = SGD<Float>(learningRate: 0.1)
                let trained = MultiLayerNet<Float>(network, seed: 7)
                let history = Trainer<MultiLayerNet<Float>>(configuration).train(
                    trained, optimizer: &optimizer, training: training, test: test,
                    onRecord: { record, net in
                        XCTAssertEqual(net.parameters.count, 2 * network.hiddenSizes.count + 2 + (network.batchNorm ? 4 : 0))
                        gradients.append(net.parameters.map { $0.gradient.norm() })
                        snapshots.append(net !== trained)
                    },
                    onProgress: { progress in if let record = progress.record { reported.append(record) } })
                // Every row reaches the progress callback too, the last one included.
                XCTAssertEqual(reported.map(\.iteration), history.records.map(\.iteration))
                return (history, gradients, snapshots)
            }
            let (twoCores, twoCoreGradients, deferred) = run()
            let (oneCore, oneCoreGradients, notDeferred) = GEMMSelection.$threadLimit.withValue(1) { run() }
            XCTAssertEqual(deferred, Array(repeating: true, count: records))
            XCTAssertEqual(notDeferred, Array(repeating: false, count: records))
            func numbers(_ history: History) -> [[Double]] {
                history.records.map { [Double($0.iteration), $0.loss, $0.trainAccuracy, $0.testAccuracy] }
            }
            XCTAssertEqual(twoCores.records.count, records)
            XCTAssertEqual(numbers(twoCores), numbers(oneCore))
            XCTAssertEqual(twoCoreGradients, oneCoreGradients)
            XCTAssertEqual(twoCoreGradients.count, twoCores.records.count)
        }
    }

    func testTheTrainingSetStaysDenseWhenSparseRowsDoNotPay() throws {
        let images = try sample().train.images.rows(0..<1000)
        let mlp = MultiLayerNet<Float>(MultiLayerNetConfiguration(hiddenSizes: [10], activation: .relu, weightInit: .he))
        // Sampled less than twice over, a network that does not read sparse rows, dense images.
        guard case .dense = NetworkImages(images, for: mlp, sampledRows: 1999) else { return XCTFail("converted") }
        guard case .sparse = NetworkImages(images, for: mlp, sampledRows: 2000) else { return XCTFail("not converted") }
        let flattened = Sequential<Float>([Flatten<Float>()] + mlp.layers)
        guard case .dense = NetworkImages(images, for: flattened, sampledRows: 100_000) else { return XCTFail("converted") }
        guard case .dense = NetworkImages(images + 0.5, for: mlp, sampledRows: 100_000) else { return XCTFail("converted") }
    }
}
