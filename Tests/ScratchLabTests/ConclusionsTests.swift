import ScratchLab
import ScratchNN
import ScratchTrain
import XCTest

/// Conclusions come from the numbers: each case below feeds made-up numbers
/// and checks the sentence that they produce.
final class ConclusionsTests: XCTestCase {
    private func result(_ id: String, records: [(Int, Double, Double)], outcome: Outcome = .completed,
                        counts: [Int] = Array(repeating: 100, count: 10), norms: [VariantResult.NamedSeries] = []) -> VariantResult {
        // A confusion matrix whose column sums are `counts` (every prediction in row 0).
        let confusion = (0..<counts.count).map { row in row == 0 ? counts : Array(repeating: 0, count: counts.count) }
        var history = History()
        history.records = records.map { Record(iteration: $0.0, epoch: 0, loss: 1, trainAccuracy: $0.1, testAccuracy: $0.2, elapsedSeconds: 0) }
        history.iterations = records.last?.0 ?? 0
        history.outcome = outcome
        let variant = Catalogue.overfitting.variants.first { $0.id == id } ?? Catalogue.overfitting.variants[0]
        return VariantResult(variant: variant, history: history, gradientNorms: norms, confusion: confusion)
    }

    func testStuckNetworksAreNamedWithTheirOneClass() {
        var counts = Array(repeating: 0, count: 10)
        counts[1] = 10000
        let text = Conclusions.variant(result("none", records: [(10, 0.12, 0.1135)], counts: counts))
        XCTAssertTrue(text.contains("Stuck at 0.1135"), text)
        XCTAssertTrue(text.contains("predicts digit 1 for 100%"), text)
    }

    func testDivergedRunsNameTheIterationAndReason() {
        let text = Conclusions.variant(result("none", records: [(10, 0.3, 0.3)], outcome: .diverged(iteration: 17, reason: "the loss became NaN")))
        XCTAssertTrue(text.hasPrefix("Diverged at iteration 17: the loss became NaN."), text)
        XCTAssertTrue(text.contains("0.300 at iteration 10"), text)
    }

    func testLearningRunsSayWhenTheyPassedNinetyPercent() {
        let text = Conclusions.variant(result("none", records: [(10, 0.5, 0.5), (20, 0.93, 0.91), (30, 0.96, 0.95)]))
        XCTAssertTrue(text.contains("Reached 0.9500 test accuracy"), text)
        XCTAssertTrue(text.contains("first above 0.90 at iteration 20"), text)
    }

    func testVanishingGradientsAreDetectedFromTheNorms() {
        let norms = [VariantResult.NamedSeries(name: "W1", points: [(10, 1e-5), (20, 2e-5)]),
                     VariantResult.NamedSeries(name: "W3", points: [(10, 0.1), (20, 0.2)])]
        let text = Conclusions.variant(result("none", records: [(20, 0.1, 0.1)], norms: norms), extras: [.gradientFlow])
        XCTAssertTrue(text.contains("vanishes on the way back"), text)
        XCTAssertTrue(text.contains("10000× smaller"), text)
    }

    func testGapComparisonsAgainstTheBaseline() {
        let lines = Conclusions.overall([
            result("none", records: [(10, 1.0, 0.75)]),
            result("l2", records: [(10, 0.9, 0.72)]),
            result("dropout", records: [(10, 1.0, 0.7)]),
        ], extras: [.generalizationGap])
        XCTAssertTrue(lines.contains { $0.contains("L2 λ 0.1 narrowed the gap: 0.180 vs 0.250") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("Dropout 0.15 did not narrow the gap: 0.300 vs 0.250") }, "\(lines)")
    }
}
