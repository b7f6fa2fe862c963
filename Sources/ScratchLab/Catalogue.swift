import ScratchNN
import ScratchTrain

/// Every hands-on experiment of the course, with the course's settings
/// (COURSE.md, "The hands-on experiments").
public enum Catalogue {
    public static let all: [HandsOn] = [
        vanishingGradient, batchNormalization, optimizers, overfitting, regularizationSweep,
        simpleCNN, doubleCNN, deepCNN, alexNet,
    ]

    /// Looks a hands-on up by its command-line name.
    public static func named(_ id: String) -> HandsOn? { all.first { $0.id == id } }

    // MARK: 2_2

    /// 2_2: 784-40-20-10, SGD lr 0.1, 2000 iterations, batch 100.
    public static let vanishingGradient: HandsOn = {
        func variant(_ id: String, _ title: String, _ activation: Activation, _ initializer: WeightInit,
                     hidden: [Int] = [40, 20]) -> HandsOn.Variant {
            HandsOn.Variant(id: id, title: title, job: TrainingJob(
                network: MultiLayerNetConfiguration(hiddenSizes: hidden, activation: activation, weightInit: initializer),
                optimizer: .sgd(learningRate: 0.1),
                training: TrainingConfiguration(schedule: .iterations(2000))))
        }
        return HandsOn(
            id: "vanishing-gradient", courseSection: "2_2", title: "Vanishing gradient",
            summary: "Activations × weight initializations (and wider layers) on 784-40-20-10: which ones learn, and why.",
            explanation: """
            Backpropagation multiplies each layer's local derivative on the way back. The sigmoid's \
            derivative is at most 0.25, and with weights drawn at std 0.01 every layer shrinks the signal \
            again, so the gradient that reaches the first layers is vanishingly small and the network \
            never leaves its starting point. Xavier (√(1/n)) and He (√(2/n)) initialization keep the \
            activations spread out; ReLU passes gradients through unchanged where it is active. \
            All-zero weights never break the symmetry between units. Wider hidden layers learn faster.
            """,
            variants: [
                variant("sigmoid-gaussian", "Sigmoid + Gaussian 0.01", .sigmoid, .gaussian(std: 0.01)),
                variant("relu-gaussian", "ReLU + Gaussian 0.01", .relu, .gaussian(std: 0.01)),
                variant("sigmoid-xavier", "Sigmoid + Xavier", .sigmoid, .xavier),
                variant("relu-he", "ReLU + He", .relu, .he),
                variant("sigmoid-he", "Sigmoid + He", .sigmoid, .he),
                variant("sigmoid-zeros", "Sigmoid + zero init", .sigmoid, .zeros),
                variant("relu-he-100-80", "ReLU + He, 100/80", .relu, .he, hidden: [100, 80]),
                variant("relu-he-300-100", "ReLU + He, 300/100", .relu, .he, hidden: [300, 100]),
            ],
            extras: [.gradientFlow])
    }()

    // MARK: 2_3

    /// 2_3: batch normalization on and off, SGD lr 0.01, 1000 iterations.
    public static let batchNormalization: HandsOn = {
        func variant(_ id: String, _ title: String, _ activation: Activation, _ initializer: WeightInit,
                     batchNorm: Bool) -> HandsOn.Variant {
            HandsOn.Variant(id: id, title: title, job: TrainingJob(
                network: MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: activation,
                                                    weightInit: initializer, batchNorm: batchNorm),
                optimizer: .sgd(learningRate: 0.01),
                training: TrainingConfiguration(schedule: .iterations(1000))))
        }
        return HandsOn(
            id: "batch-normalization", courseSection: "2_3", title: "Batch normalization",
            summary: "784-40-20-10 with and without batch normalization (sigmoid + Xavier, ReLU + He), SGD lr 0.01.",
            explanation: """
            Batch normalization standardizes each activation over the minibatch (mean 0, variance 1) \
            before a learned scale γ and shift β. Every layer then sees inputs on the same scale, so \
            training is faster and more stable and gradients vanish less. At inference the running \
            averages of the batch statistics are used instead.
            """,
            variants: [
                variant("sigmoid-xavier", "Sigmoid + Xavier", .sigmoid, .xavier, batchNorm: false),
                variant("sigmoid-xavier-bn", "Sigmoid + Xavier + BN", .sigmoid, .xavier, batchNorm: true),
                variant("relu-he", "ReLU + He", .relu, .he, batchNorm: false),
                variant("relu-he-bn", "ReLU + He + BN", .relu, .he, batchNorm: true),
            ],
            extras: [.gradientFlow])
    }()

    // MARK: 2_4

    /// 2_4: every optimizer on 784-40-20-10 sigmoid, Gaussian 0.01, lr 0.01, 1000 iterations.
    public static let optimizers: HandsOn = {
        func variant(_ id: String, _ title: String, _ optimizer: OptimizerKind, batchNorm: Bool = false) -> HandsOn.Variant {
            HandsOn.Variant(id: id, title: title, job: TrainingJob(
                network: MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .sigmoid,
                                                    weightInit: .gaussian(std: 0.01), batchNorm: batchNorm),
                optimizer: optimizer,
                training: TrainingConfiguration(schedule: .iterations(1000))))
        }
        let kinds: [(String, String, OptimizerKind)] = [
            ("sgd", "SGD", .sgd(learningRate: 0.01)),
            ("momentum", "Momentum", .momentum(learningRate: 0.01)),
            ("nesterov", "Nesterov", .nesterov(learningRate: 0.01)),
            ("adagrad", "AdaGrad", .adagrad(learningRate: 0.01)),
            ("rmsprop", "RMSProp", .rmsprop(learningRate: 0.01)),
            ("adam", "Adam", .adam(learningRate: 0.01)),
        ]
        var variants = kinds.map { variant($0.0, $0.1, $0.2) }
        variants += kinds.map { variant($0.0 + "-bn", $0.1 + " + BN", $0.2, batchNorm: true) }
        variants += [
            variant("rmsprop-lr0.1", "RMSProp lr 0.1", .rmsprop(learningRate: 0.1)),
            variant("rmsprop-lr0.0001", "RMSProp lr 0.0001", .rmsprop(learningRate: 0.0001)),
            variant("rmsprop-decay0.01", "RMSProp decay 0.01", .rmsprop(learningRate: 0.01, decay: 0.01)),
            variant("rmsprop-decay1", "RMSProp decay 1", .rmsprop(learningRate: 0.01, decay: 1)),
        ]
        return HandsOn(
            id: "optimizers", courseSection: "2_4", title: "Optimizers",
            summary: "SGD, Momentum, Nesterov, AdaGrad, RMSProp and Adam on a sigmoid net that plain SGD cannot train.",
            explanation: """
            The sigmoid network with weights at std 0.01 barely moves under plain SGD at lr 0.01: its \
            gradients are tiny. Momentum accumulates them but not enough in 1,000 iterations. AdaGrad, \
            RMSProp and Adam divide each step by a running size of the gradient, so tiny gradients still \
            produce useful steps; RMSProp and Adam keep that running size from only growing. Batch \
            normalization rescues even plain SGD. RMSProp's decay ρ sets how much history h keeps: with \
            ρ = 1, h stays 0 and every step is lr·g/1e-7, so the weights explode.
            """,
            variants: variants,
            extras: [])
    }()

    // MARK: 2_5

    /// 2_5: the first 300 training images, 784-[100×6]-10 ReLU + He, 1000 iterations.
    public static let overfitting: HandsOn = {
        func variant(_ id: String, _ title: String, _ optimizer: OptimizerKind,
                     dropout: Double? = nil, decay: WeightDecay = .none) -> HandsOn.Variant {
            HandsOn.Variant(id: id, title: title, job: TrainingJob(
                network: MultiLayerNetConfiguration(hiddenSizes: Array(repeating: 100, count: 6), activation: .relu,
                                                    weightInit: .he, dropout: dropout, weightDecay: decay),
                optimizer: optimizer,
                training: TrainingConfiguration(schedule: .iterations(1000), trainAccuracySource: .trainingSet),
                trainingSubset: 300))
        }
        return HandsOn(
            id: "overfitting", courseSection: "2_5", title: "Overfitting and regularization",
            summary: "784-[100×6]-10 on only 300 images: overfitting, and what L2, L1 and dropout do to it.",
            explanation: """
            A network with 6 hidden layers of 100 units trained on only 300 images memorizes them: its \
            training accuracy reaches 1.0 while its test accuracy stays far lower. The gap between the \
            two is overfitting. Weight decay adds a penalty on the weights to the loss (L2: ½λΣW², L1: \
            λΣ|W|); dropout switches random units off while training. Each narrows the gap, at some cost \
            in fit.
            """,
            variants: [
                variant("none", "No regularization", .sgd(learningRate: 0.01)),
                variant("l2", "L2 λ 0.1", .sgd(learningRate: 0.01), decay: WeightDecay(l2: 0.1)),
                variant("l1", "L1 λ 0.005", .sgd(learningRate: 0.1), decay: WeightDecay(l1: 0.005)),
                variant("dropout", "Dropout 0.15", .sgd(learningRate: 0.01), dropout: 0.15),
                variant("dropout-l1", "Dropout 0.08 + L1 0.004", .sgd(learningRate: 0.01), dropout: 0.08,
                        decay: WeightDecay(l1: 0.004)),
            ],
            extras: [.generalizationGap])
    }()

    // MARK: 2_5 sweep

    /// 2_5 extended: L2 λ, L1 λ and the dropout ratio, each over a range, on
    /// the overfitting setup (300 images, 784-[100×6]-10 ReLU + He).
    public static let regularizationSweep: HandsOn = {
        let base = overfitting.variants[0].job
        guard let network = base.model.multiLayer else { preconditionFailure("2_5 uses MultiLayerNet") }
        func variant(_ family: String, _ id: String, _ strength: Double, learningRate: Double = 0.01,
                     _ change: (inout MultiLayerNetConfiguration) -> Void) -> HandsOn.Variant {
            var job = base
            var configuration = network
            change(&configuration)
            job.model = .multiLayer(configuration)
            job.optimizer = .sgd(learningRate: learningRate)
            return HandsOn.Variant(id: id, title: "\(family) \(strength)", job: job,
                                   sweep: HandsOn.Sweep(family: family, strength: strength))
        }
        let l2 = [0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5].map { lambda in
            variant("L2 λ", "l2-\(lambda)", lambda) { $0.weightDecay = WeightDecay(l2: lambda) }
        }
        // L1 at the course's learning rate for L1 (0.1).
        let l1 = [0.0003, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.05].map { lambda in
            variant("L1 λ", "l1-\(lambda)", lambda, learningRate: 0.1) { $0.weightDecay = WeightDecay(l1: lambda) }
        }
        let dropout = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6].map { ratio in
            variant("dropout ratio", "dropout-\(ratio)", ratio) { $0.dropout = ratio }
        }
        return HandsOn(
            id: "regularization-sweep", courseSection: "2_5",
            title: "Regularization strength sweep",
            summary: "L2 λ, L1 λ and the dropout ratio over 8 values each: train accuracy, test accuracy and their gap.",
            explanation: """
            The same overfitting setup as 2_5, trained once per strength of each regularizer. Reading \
            the charts from left to right shows the course's conclusions as measurements: stronger \
            weight decay narrows the gap between training and test accuracy but eventually lowers the \
            test accuracy too; too little dropout does not curb overfitting and too much underfits. \
            The unregularized network is the reference line.
            """,
            variants: [HandsOn.Variant(id: "none", title: "No regularization", job: base)] + l2 + l1 + dropout,
            extras: [.generalizationGap, .strengthSweep])
    }()

    // MARK: 2_6–2_8 and Section 5

    /// The course's CNN settings: Adam lr 0.001, batch 100, 1000 iterations on the
    /// first 5,000 training / 1,000 test images, evaluating every 10 iterations
    /// on all of them.
    static func convolutionalJob(_ model: Model) -> TrainingJob {
        TrainingJob(model: model, optimizer: .adam(learningRate: 0.001),
                    training: TrainingConfiguration(schedule: .iterations(1000), trainAccuracySource: .trainingSet,
                                                    evaluationBatchSize: TrainingConfiguration.convolutionalEvaluationBatchSize),
                    trainingSubset: 5000, testSubset: 1000)
    }

    private static func convolutional(_ id: String, _ section: String, _ title: String, _ summary: String,
                                      _ explanation: String, _ variantTitle: String, _ model: Model) -> HandsOn {
        HandsOn(id: id, courseSection: section, title: title, summary: summary, explanation: explanation,
                variants: [HandsOn.Variant(id: model.name.lowercased(), title: variantTitle, job: convolutionalJob(model))],
                extras: [.convolutionInsights])
    }

    public static let simpleCNN = convolutional(
        "simple-cnn", "2_6", "Simple convolutional network",
        "SimpleConvNet (conv 30×5×5 → ReLU → pool → 100 → 10), Adam, 5,000 training images.",
        """
        A convolution slides 30 learned 5×5 filters over the image; each output channel is a map of \
        where its pattern occurs. im2col turns every 5×5 window into a row so that the whole layer is \
        one matrix product. Max pooling keeps the strongest response in each 2×2 window, making the \
        features tolerant of small shifts. With far fewer weights than a fully connected layer of the \
        same size, the network reaches higher accuracy from only 5,000 images.
        """, "SimpleConvNet", .simpleConv(SimpleConvNetConfiguration()))

    public static let doubleCNN = convolutional(
        "double-cnn", "2_7", "Double convolutional network",
        "DoubleConvNet (conv 10×7×7 → pool → conv 20×3×3 → pool → 100 → 10), Adam, 5,000 training images.",
        """
        Two convolution–pooling stages: the second stage combines the first stage's feature maps \
        into larger patterns. With more layers to coordinate, it learns more slowly per iteration \
        than the simple network in the course's run.
        """, "DoubleConvNet", .doubleConv(DoubleConvNetConfiguration()))

    public static let deepCNN = convolutional(
        "deep-cnn", "2_8", "Deep convolutional network",
        "DeepConvNet (six 3×3 convolutions, three pools, dropout 0.5, He init), Adam, 5,000 training images.",
        """
        The book's deep network: six 3×3 convolutions in three blocks, each followed by max pooling, \
        then a fully connected layer with dropout. Small filters stacked deep see as much of the \
        image as large ones with fewer weights, and He initialization keeps the ReLU signal alive \
        through all the layers. On full MNIST it passes 99% test accuracy.
        """, "DeepConvNet", .deepConv(DeepConvNetConfiguration()))

    public static let alexNet = convolutional(
        "alexnet", "5", "AlexNet-style network",
        "MiniAlexNet: AlexNet's ideas (stacked conv/ReLU/pool, dropout in the dense layers) sized for 28×28.",
        """
        AlexNet (Krizhevsky, Sutskever and Hinton, 2012) won ImageNet with five convolutional layers, \
        ReLU activations, overlapping max pooling and dropout in its large fully connected layers. \
        This network keeps that structure but is sized for 28×28 digits instead of 224×224 photos.
        """, "MiniAlexNet", .alexNet(MiniAlexNetConfiguration()))
}
