import Foundation
import ScratchTrain

/// Conclusions drawn from measured numbers (never written in advance): one
/// line per variant, and comparisons across the variants of a hands-on.
public enum Conclusions {
    /// Test accuracy at or below this counts as "not learning" (chance is 0.10).
    public static let stuckAccuracy = 0.2
    /// A trained network that gives one class this share of test images predicts one class.
    public static let oneClassShare = 0.9

    /// What one variant's numbers say.
    public static func variant(_ r: VariantResult, extras: Set<HandsOn.Extra> = []) -> String {
        let h = r.history
        var sentences: [String] = []
        if case .diverged(let iteration, let reason) = h.outcome {
            sentences.append("Diverged at iteration \(iteration): \(reason).")
            if let last = h.records.last {
                sentences.append("Last recorded test accuracy \(f3(last.testAccuracy)) at iteration \(last.iteration).")
            } else {
                sentences.append("It diverged before the first evaluation.")
            }
            return sentences.joined(separator: " ")
        }
        guard let last = h.records.last else { return "No iterations were recorded." }

        if last.testAccuracy <= stuckAccuracy {
            if let (digit, share) = r.dominantPrediction, share >= oneClassShare {
                sentences.append("Stuck at \(f4(last.testAccuracy)): it predicts digit \(digit) for \(percent(share)) of the test images — it has learned nothing beyond one class.")
            } else {
                sentences.append("Stuck at \(f4(last.testAccuracy)) test accuracy, barely above chance (0.10).")
            }
        } else {
            var s = "Reached \(f4(last.testAccuracy)) test accuracy (training \(f4(last.trainAccuracy)))"
            if let first = h.records.first(where: { $0.testAccuracy >= 0.9 }) {
                s += "; first above 0.90 at iteration \(first.iteration)."
            } else {
                s += "; it never reached 0.90 in \(h.iterations) iterations."
            }
            sentences.append(s)
        }

        if extras.contains(.gradientFlow), let first = r.gradientNorms.first, let lastLayer = r.gradientNorms.last,
           first.name != lastLayer.name {
            let a = mean(first.points.map(\.value)), b = mean(lastLayer.points.map(\.value))
            if b > 0 {
                let ratio = a / b
                if ratio < 0.01 {
                    sentences.append("The gradient reaching \(first.name) averaged \(sci(a)), \(String(format: "%.0f", 1 / ratio))× smaller than at \(lastLayer.name): it vanishes on the way back.")
                } else {
                    sentences.append("The gradient reaching \(first.name) averaged \(sci(a)) (\(lastLayer.name): \(sci(b))): it reaches the first layer.")
                }
            }
        }
        if extras.contains(.generalizationGap) {
            sentences.append("Train–test gap: \(f3(last.trainAccuracy - last.testAccuracy)).")
        }
        return sentences.joined(separator: " ")
    }

    /// Comparisons across a hands-on's variants.
    public static func overall(_ results: [VariantResult], extras: Set<HandsOn.Extra> = []) -> [String] {
        var lines: [String] = []
        let finished = results.compactMap { r in
            r.history.outcome.isDiverged ? nil : r.history.finalTestAccuracy.map { (result: r, test: $0) }
        }
        if let best = finished.max(by: { $0.test < $1.test }) {
            lines.append("Highest final test accuracy: \(best.result.variant.title) (\(f4(best.test))).")
        }
        let stuck = finished.filter { $0.test <= stuckAccuracy }.map(\.result.variant.title)
        if !stuck.isEmpty { lines.append("Did not learn: \(stuck.joined(separator: ", ")).") }
        if extras.contains(.gradientFlow) {
            let firstLayer = results.compactMap { r in
                r.gradientNorms.first.map { (title: r.variant.title, norm: mean($0.points.map(\.value))) }
            }.filter { $0.norm > 0 }
            if let low = firstLayer.min(by: { $0.norm < $1.norm }), let high = firstLayer.max(by: { $0.norm < $1.norm }),
               high.norm / low.norm >= 10 {
                lines.append("First-layer gradient norm (mean over training): \(low.title) \(sci(low.norm)), \(String(format: "%.0f", high.norm / low.norm))× smaller than \(high.title)'s \(sci(high.norm)).")
            }
        }
        let diverged = results.filter { $0.history.outcome.isDiverged }.map(\.variant.title)
        if !diverged.isEmpty { lines.append("Diverged: \(diverged.joined(separator: ", ")).") }

        if extras.contains(.strengthSweep) {
            for (family, members) in sweepFamilies(results) {
                let points = members.compactMap { r -> (Double, Double, Double)? in
                    guard let s = r.variant.sweep?.strength, let train = r.history.finalTrainAccuracy,
                          let test = r.history.finalTestAccuracy else { return nil }
                    return (s, train - test, test)
                }
                guard let first = points.first, let last = points.last, points.count > 1 else { continue }
                let falling = zip(points, points.dropFirst()).filter { $1.1 <= $0.1 }.count
                lines.append("As \(family) grows from \(first.0) to \(last.0), the train–test gap goes \(f3(first.1)) → \(f3(last.1)) (it shrinks or stays in \(falling) of \(points.count - 1) steps) and test accuracy \(f3(first.2)) → \(f3(last.2)).")
            }
            return lines
        }
        if extras.contains(.generalizationGap), let baseline = results.first,
           let bTrain = baseline.history.finalTrainAccuracy, let bTest = baseline.history.finalTestAccuracy {
            let baseGap = bTrain - bTest
            lines.append("\(baseline.variant.title): training \(f3(bTrain)), test \(f3(bTest)), gap \(f3(baseGap)).")
            for r in results.dropFirst() {
                guard let train = r.history.finalTrainAccuracy, let test = r.history.finalTestAccuracy else { continue }
                let gap = train - test
                let verdict = gap < baseGap ? "narrowed the gap" : "did not narrow the gap"
                lines.append("\(r.variant.title) \(verdict): \(f3(gap)) vs \(f3(baseGap)) (test accuracy \(f3(test)) vs \(f3(bTest))).")
            }
        }
        return lines
    }

    /// Sweep variants grouped by family (in catalogue order), each sorted by strength.
    public static func sweepFamilies(_ results: [VariantResult]) -> [(family: String, members: [VariantResult])] {
        var order: [String] = []
        var groups: [String: [VariantResult]] = [:]
        for r in results {
            guard let sweep = r.variant.sweep else { continue }
            if groups[sweep.family] == nil { order.append(sweep.family) }
            groups[sweep.family, default: []].append(r)
        }
        return order.map { family in
            (family, groups[family, default: []].sorted { ($0.variant.sweep?.strength ?? 0) < ($1.variant.sweep?.strength ?? 0) })
        }
    }

    static func f3(_ x: Double) -> String { String(format: "%.3f", x) }
    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
    static func sci(_ x: Double) -> String { x == 0 ? "0" : (x >= 0.01 && x < 1000 ? String(format: "%.3g", x) : String(format: "%.1e", x)) }
    private static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }
}
