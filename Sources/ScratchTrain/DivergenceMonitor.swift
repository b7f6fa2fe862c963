import Foundation

/// Decides when a run has diverged: at once when the loss is NaN or infinite,
/// or when it stays above a limit far worse than guessing for a number of
/// iterations in a row (a single spike, as RMSProp at lr 0.1 shows early on,
/// is not divergence; RMSProp with decay 1 never comes back down).
public struct DivergenceMonitor: Sendable {
    public let maximumLoss: Double
    public let patience: Int
    private var highSince: Int?

    public init(maximumLoss: Double, patience: Int) {
        self.maximumLoss = maximumLoss
        self.patience = max(patience, 1)
    }

    /// Feeds one iteration's loss; returns where and why the run diverged, or nil.
    public mutating func check(loss: Double, iteration: Int) -> (iteration: Int, reason: String)? {
        if !loss.isFinite {
            return (iteration, "the loss became \(loss.isNaN ? "NaN" : "infinite"): the learning rate is too high or the optimizer setting is unstable")
        }
        guard loss > maximumLoss else {
            highSince = nil
            return nil
        }
        let start = highSince ?? iteration
        highSince = start
        guard iteration - start + 1 >= patience else { return nil }
        return (start, "the loss rose above \(format(maximumLoss)) at iteration \(start) and stayed there for \(patience) iterations (\(format(loss)) now; guessing scores 2.30): the weights have blown up")
    }

    private func format(_ x: Double) -> String { String(format: "%.2f", x) }
}
