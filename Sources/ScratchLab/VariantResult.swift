import ScratchTrain

/// What one variant of a hands-on measured, in plain numbers (no tensors), so
/// reports and summaries do not depend on the precision it ran in.
public struct VariantResult: Sendable {
    public var variant: HandsOn.Variant
    public var history: History
    /// ‖∂L/∂W‖ of each weight matrix at every recorded iteration, first layer first.
    public var gradientNorms: [NamedSeries]
    /// Each hidden activation layer's outputs on a fixed batch of test images,
    /// before training and after it.
    public var activations: [ActivationSnapshot]
    /// Test-set confusion matrix of the trained network: `confusion[true][predicted]`.
    public var confusion: [[Int]]
    /// The first misclassified test images (for convolutional hands-ons).
    public var misclassified: [Misclassified]
    /// The first convolution's filters (channel 0) before and after training.
    public var filters: Filters?

    public init(variant: HandsOn.Variant, history: History, gradientNorms: [NamedSeries] = [],
                activations: [ActivationSnapshot] = [], confusion: [[Int]], misclassified: [Misclassified] = [],
                filters: Filters? = nil) {
        self.variant = variant
        self.history = history
        self.gradientNorms = gradientNorms
        self.activations = activations
        self.confusion = confusion
        self.misclassified = misclassified
        self.filters = filters
    }

    /// How many test images the trained network assigns to each class.
    public var predictedClassCounts: [Int] {
        guard let classes = confusion.first?.count else { return [] }
        return (0..<classes).map { p in confusion.reduce(0) { $0 + $1[p] } }
    }

    /// A test image the network got wrong.
    public struct Misclassified: Sendable {
        public var pixels: [Double]
        public var width: Int
        public var height: Int
        public var predicted: Int
        public var label: Int
    }

    /// Filter weights, each `height × width`, before and after training.
    public struct Filters: Sendable {
        public var height: Int
        public var width: Int
        public var start: [[Double]]
        public var end: [[Double]]
    }

    /// A quantity per recorded iteration.
    public struct NamedSeries: Sendable {
        public var name: String
        public var points: [(iteration: Int, value: Double)]

        public init(name: String, points: [(iteration: Int, value: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// A hidden layer's activation values at the start and the end of training.
    public struct ActivationSnapshot: Sendable {
        public var layer: String
        public var start: [Double]
        public var end: [Double]

        public init(layer: String, start: [Double], end: [Double]) {
            self.layer = layer
            self.start = start
            self.end = end
        }
    }

    /// The class the trained network predicts most, and the share of test images it gets.
    public var dominantPrediction: (digit: Int, share: Double)? {
        let total = predictedClassCounts.reduce(0, +)
        guard total > 0, let top = predictedClassCounts.indices.max(by: { predictedClassCounts[$0] < predictedClassCounts[$1] })
        else { return nil }
        return (top, Double(predictedClassCounts[top]) / Double(total))
    }
}
