import Foundation
import ScratchLab
import ScratchNN
import ScratchTrain
import TestSupport
import XCTest

/// Every hands-on of the catalogue runs a few iterations on the bundled sample
/// and writes a well-formed report.
final class CatalogueTests: XCTestCase {
    private static let sample: LoadedData<Float>? = try? DataOptions(sampleOnly: true).load(as: Float.self)

    func testTheCatalogueHasTheCoursesSettings() throws {
        let vg = try XCTUnwrap(Catalogue.named("vanishing-gradient"))
        XCTAssertEqual(vg.variants.map(\.id), ["sigmoid-gaussian", "relu-gaussian", "sigmoid-xavier", "relu-he", "sigmoid-he",
                                               "sigmoid-zeros", "relu-he-100-80", "relu-he-300-100"])
        for v in vg.variants {
            XCTAssertEqual(v.job.optimizer, .sgd(learningRate: 0.1))
            XCTAssertEqual(v.job.training.schedule, .iterations(2000))
            XCTAssertEqual(v.job.training.batchSize, 100)
        }
        let bn = try XCTUnwrap(Catalogue.named("batch-normalization"))
        XCTAssertEqual(bn.variants.filter { $0.job.model.multiLayer?.batchNorm == true }.count, 2)
        XCTAssertTrue(bn.variants.allSatisfy { $0.job.optimizer == .sgd(learningRate: 0.01) && $0.job.training.schedule == .iterations(1000) })
        let opt = try XCTUnwrap(Catalogue.named("optimizers"))
        XCTAssertTrue(opt.variants.allSatisfy { $0.job.model.multiLayer?.activation == .sigmoid && $0.job.model.weightInit == .gaussian(std: 0.01) })
        XCTAssertEqual(opt.variants.first { $0.id == "rmsprop-decay1" }?.job.optimizer, .rmsprop(learningRate: 0.01, decay: 1))
        let of = try XCTUnwrap(Catalogue.named("overfitting"))
        XCTAssertTrue(of.variants.allSatisfy { $0.job.trainingSubset == 300 && $0.job.model.multiLayer?.hiddenSizes == Array(repeating: 100, count: 6) })
        XCTAssertEqual(of.variants.first { $0.id == "l1" }?.job.model.weightDecay, WeightDecay(l1: 0.005))
        XCTAssertEqual(of.variants.first { $0.id == "l1" }?.job.optimizer, .sgd(learningRate: 0.1))
        let cnn = try XCTUnwrap(Catalogue.named("simple-cnn")?.variants.first?.job)
        XCTAssertEqual(cnn.optimizer, .adam(learningRate: 0.001))
        XCTAssertEqual(cnn.trainingSubset, 5000)
        XCTAssertEqual(cnn.testSubset, 1000)
        XCTAssertEqual(cnn.training.trainAccuracySource, .trainingSet)
        XCTAssertEqual(LayerSpec.text(cnn.model.layerSpecs), "conv:30x5x5,relu,maxpool:2,affine:100,relu,affine:10")
        let sweep = try XCTUnwrap(Catalogue.named("regularization-sweep"))
        for family in ["L2 λ", "L1 λ", "dropout ratio"] {
            XCTAssertGreaterThanOrEqual(sweep.variants.filter { $0.sweep?.family == family }.count, 8, family)
        }
    }

    func testEveryHandsOnRunsOnTheBundledSampleAndWritesAWellFormedReport() throws {
        let data = try XCTUnwrap(Self.sample, "the bundled sample must load")
        for full in Catalogue.all {
            // Sweeps have dozens of variants of one network: a spread of them is enough here.
            let handsOn = full.extras.contains(.strengthSweep)
                ? full.selecting(full.variants.enumerated().filter { $0.offset % 6 == 0 }.map(\.element.id)) : full
            let short = handsOn.mapJobs { job in
                job.training.schedule = .iterations(20)
                job.training.evaluateEvery = 10
                if job.model.isConvolutional {
                    // Debug builds run convolutions slowly: a few images are enough to exercise the path.
                    job.training.batchSize = 10
                    job.trainingSubset = 50
                    job.testSubset = 30
                }
            }
            let results = try HandsOnRunner(parallelism: 2).run(short, on: data)
            XCTAssertEqual(results.map(\.variant.id), handsOn.variants.map(\.id), handsOn.id)
            for r in results where !r.history.outcome.isDiverged {
                XCTAssertEqual(r.confusion.joined().reduce(0, +), r.variant.job.testSubset ?? data.test.count, "\(handsOn.id)/\(r.variant.id)")
                XCTAssertEqual(r.history.records.map(\.iteration), [10, 20], "\(handsOn.id)/\(r.variant.id)")
            }
            let folder = try makeTemporaryDirectory(handsOn.id)
            let index = try HandsOnReport(handsOn: short, results: results, data: data.source.description,
                                          precision: "float32", command: "scratchnet run \(handsOn.id)").write(to: folder)
            let html = try String(contentsOf: index, encoding: .utf8)
            XCTAssertNil(xmlError(html), "\(handsOn.id) index.html")
            XCTAssertTrue(html.contains(handsOn.title))
            for r in results {
                XCTAssertTrue(html.contains(r.variant.title), "\(handsOn.id) report names \(r.variant.title)")
                let sub = folder.appendingPathComponent(r.variant.id)
                for file in try FileManager.default.contentsOfDirectory(atPath: sub.path) where file.hasSuffix(".svg") {
                    XCTAssertNil(xmlError(try String(contentsOf: sub.appendingPathComponent(file), encoding: .utf8)), "\(r.variant.id)/\(file)")
                }
                XCTAssertTrue(FileManager.default.fileExists(atPath: sub.appendingPathComponent("history.csv").path))
            }
            XCTAssertNil(xmlError(try String(contentsOf: folder.appendingPathComponent("comparison.svg"), encoding: .utf8)))
            if handsOn.extras.contains(.gradientFlow) {
                let r = try XCTUnwrap(results.first)
                XCTAssertEqual(r.gradientNorms.map(\.name).first, "W1")
                XCTAssertEqual(r.activations.count, r.variant.job.model.multiLayer?.hiddenSizes.count)
            }
        }
    }

    func testRunningInParallelGivesTheSameNumbersAsOneAtATime() throws {
        let data = try XCTUnwrap(Self.sample)
        let handsOn = try XCTUnwrap(Catalogue.named("overfitting")).selecting(["none", "dropout"]).mapJobs {
            $0.training.schedule = .iterations(20)
        }
        let parallel = try HandsOnRunner(parallelism: 2).run(handsOn, on: data)
        let serial = try HandsOnRunner(parallelism: 1).run(handsOn, on: data)
        XCTAssertEqual(parallel.map { $0.history.records.map(\.testAccuracy) }, serial.map { $0.history.records.map(\.testAccuracy) })
        XCTAssertEqual(parallel.map { $0.history.records.map(\.loss) }, serial.map { $0.history.records.map(\.loss) })
    }
}
