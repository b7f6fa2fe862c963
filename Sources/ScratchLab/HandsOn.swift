import ScratchNN
import ScratchTrain

/// One of the course's hands-on experiments as typed data: what it shows, the
/// course's settings, and the variants it compares.
public struct HandsOn: Sendable, Identifiable {
    /// The command-line name, e.g. "vanishing-gradient".
    public let id: String
    /// The course's numbering, e.g. "2_2".
    public let courseSection: String
    public let title: String
    /// One line for `scratchnet list`.
    public let summary: String
    /// What the experiment demonstrates (a paragraph for the report).
    public let explanation: String
    public let variants: [Variant]
    /// What the report adds beyond the accuracy curves.
    public let extras: Set<Extra>

    /// A report section beyond the accuracy curves.
    public enum Extra: Sendable, Hashable {
        /// Gradient norm of every layer over training, and activation
        /// histograms of every hidden layer at the start and the end.
        case gradientFlow
        /// The train–test gap over time and in the final table (2_5).
        case generalizationGap
        /// Final training accuracy, test accuracy and their gap plotted against
        /// each variant's ``Variant/sweep`` strength, one chart per family.
        case strengthSweep
        /// First-layer filters before and after training, misclassified test
        /// images and the confusion matrix (convolutional hands-ons).
        case convolutionInsights
    }

    /// One configuration the experiment compares.
    public struct Variant: Sendable, Identifiable {
        /// Used by `--only`, e.g. "relu-he".
        public let id: String
        /// Shown in charts and tables, e.g. "ReLU + He".
        public let title: String
        public var job: TrainingJob
        /// For sweeps: which regularizer this variant belongs to and how strong it is.
        public var sweep: Sweep?

        public init(id: String, title: String, job: TrainingJob, sweep: Sweep? = nil) {
            self.id = id
            self.title = title
            self.job = job
            self.sweep = sweep
        }
    }

    /// A variant's place in a sweep: a family (e.g. "L2 λ") and a strength.
    public struct Sweep: Sendable, Hashable {
        public var family: String
        public var strength: Double
    }

    /// A copy with only the named variants (in catalogue order).
    public func selecting(_ ids: [String]) -> HandsOn {
        HandsOn(id: id, courseSection: courseSection, title: title, summary: summary, explanation: explanation,
                variants: variants.filter { ids.contains($0.id) }, extras: extras)
    }

    /// A copy with every variant changed by `change`.
    public func mapJobs(_ change: (inout TrainingJob) -> Void) -> HandsOn {
        HandsOn(id: id, courseSection: courseSection, title: title, summary: summary, explanation: explanation,
                variants: variants.map { v in
                    var job = v.job
                    change(&job)
                    return Variant(id: v.id, title: v.title, job: job, sweep: v.sweep)
                }, extras: extras)
    }
}
