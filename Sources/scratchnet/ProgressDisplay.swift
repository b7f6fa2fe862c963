import Foundation
import ScratchTrain

/// Shows training progress: a redrawn progress bar on a terminal (iteration,
/// loss, accuracies, it/s, ETA), or a plain line every tenth of the run when
/// the output is a file or a pipe.
final class ProgressDisplay {
    private let label: String
    private let interactive: Bool
    private var lastDraw = -1.0
    private var lastRecord: Record?
    private var nextPlainLine = 0

    init(label: String = "", interactive: Bool = Console.isTerminal) {
        self.label = label.isEmpty ? "" : label + " "
        self.interactive = interactive
    }

    func update(_ p: TrainingProgress) {
        if let record = p.record { lastRecord = record }
        let finished = p.iteration == p.totalIterations
        if interactive {
            guard finished || p.elapsedSeconds - lastDraw >= 0.1 else { return }
            lastDraw = p.elapsedSeconds
            Console.write("\r\u{1B}[2K" + line(p, bar: true) + (finished ? "\n" : ""))
        } else {
            let step = max(p.totalIterations / 10, 1)
            guard p.iteration >= nextPlainLine || finished else { return }
            nextPlainLine = (p.iteration / step + 1) * step
            Console.write(line(p, bar: false) + "\n")
        }
    }

    /// Ends an unfinished bar (e.g. a run that diverged) so later output starts on a new line.
    func finish() {
        if interactive { Console.write("\n") }
    }

    private func line(_ p: TrainingProgress, bar: Bool) -> String {
        let rate = p.elapsedSeconds > 0 ? Double(p.iteration) / p.elapsedSeconds : 0
        let remaining = rate > 0 ? Double(p.totalIterations - p.iteration) / rate : 0
        var parts: [String] = []
        if bar {
            let width = 24
            let filled = p.totalIterations > 0 ? width * p.iteration / p.totalIterations : width
            parts.append("[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "]")
        }
        let digits = String(p.totalIterations).count
        parts.append("\(label)iter \(pad(p.iteration, digits))/\(p.totalIterations)")
        parts.append("loss " + fixed(p.loss, 4))
        if let r = lastRecord {
            parts.append("train " + fixed(r.trainAccuracy, 4))
            parts.append("test " + fixed(r.testAccuracy, 4))
        }
        parts.append(fixed(rate, 0) + " it/s")
        parts.append("ETA " + clock(remaining))
        return parts.joined(separator: "  ")
    }
}

func fixed(_ x: Double, _ digits: Int) -> String {
    x.isFinite ? String(format: "%.\(digits)f", x) : (x.isNaN ? "nan" : "inf")
}

func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}

private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: " ", count: max(width - s.count, 0)) + s
}
