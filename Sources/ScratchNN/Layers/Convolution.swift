import ScratchTensor

/// Convolution layer computed through im2col (course 2_6; book §7.4 `Convolution`).
///
/// ```
/// forward:  col = im2col(x)                          [N·OH·OW, C·FH·FW]
///           out = col·W_colᵀ + b                     [N·OH·OW, FN] → reshaped to [N, FN, OH, OW]
/// backward: dout_rows = dout as [N·OH·OW, FN]
///           db = Σ dout_rows,  dW = (colᵀ·dout_rows)ᵀ,  dx = col2im(dout_rows·W_col)
/// ```
/// where `W_col` is `W` read as `[FN, C·FH·FW]` and OH = (H + 2P − FH)/S + 1 (likewise OW).
/// Every product goes through ``MatMul``. The same sums are computed image by image
/// (``Conv2D``): one image's im2col rows and product stay in cache, nothing of the size of
/// `col` is kept for the backward pass, and the images are shared out over the cores.
/// ``forward(_:mode:thenReLU:thenMaxPooling:)`` runs the ReLU and max pooling that follow
/// in the same pass.
///
/// Shapes: `x [N, C, H, W]` → `out [N, FN, OH, OW]`; `W [FN, C, FH, FW]`, `b [FN]`.
/// `dx` has `x`'s shape. The input padding is zeros.
public final class Convolution<Scalar: TensorScalar>: Layer, InputGradientOptional {
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>
    public let parameters: [Parameter<Scalar>]
    public let stride: Int
    public let pad: Int

    private var geometry: ConvolutionGeometry?
    /// The fused pooling layer's geometry, kept while the layer and the sizes stay the same.
    private var poolGeometry: (layer: ObjectIdentifier, geometry: ConvolutionGeometry)?
    /// The latest forward input (a reference, not a copy): the backward pass rebuilds each
    /// image's im2col rows from it instead of keeping the batch's `col` matrix. Let go of
    /// after the backward pass, so the previous layer's output is its own again.
    private var input: Tensor<Scalar>?
    /// What the latest forward ran after the convolution (``forward(_:mode:thenReLU:thenMaxPooling:)``).
    private var epilogue = Conv2D.Epilogue.none
    /// The training-mode output, pooling winners and input gradient, written over each step
    /// (an inference pass writes fresh tensors and leaves them: `trained` false).
    private var buffers = ConvolutionBuffers<Scalar>()
    private var trained = false

    /// Filter count FN.
    public var filters: Int { weight.value.shape[0] }
    /// Input channels C.
    public var channels: Int { weight.value.shape[1] }
    public var filterHeight: Int { weight.value.shape[2] }
    public var filterWidth: Int { weight.value.shape[3] }

    /// A layer with given filters `W [FN, C, FH, FW]` and biases `b [FN]`.
    public init(weight: Parameter<Scalar>, bias: Parameter<Scalar>, stride: Int = 1, pad: Int = 0) {
        precondition(weight.value.rank == 4 && bias.value.count == weight.value.shape[0],
                     "Convolution needs W [FN, C, FH, FW] and b [FN], got \(weight.value.shape) and \(bias.value.shape)")
        precondition(stride >= 1 && pad >= 0, "Convolution needs stride ≥ 1 and pad ≥ 0, got \(stride) and \(pad)")
        self.weight = weight
        self.bias = bias
        parameters = [weight, bias]
        self.stride = stride
        self.pad = pad
    }

    /// `filters` filters of `channels × filterHeight × filterWidth` drawn by `initializer`
    /// with fan-in C·FH·FW (the book's DeepConvNet rule), and zero biases.
    /// `index` numbers the parameters as the course does (`W1`, `b1`, ...).
    public convenience init(
        channels: Int, filters: Int, filterHeight: Int, filterWidth: Int, stride: Int = 1, pad: Int = 0,
        initializer: WeightInit, index: Int, using rng: inout RandomGenerator
    ) {
        let shape = [filters, channels, filterHeight, filterWidth]
        let w = initializer.sample(shape: shape, fanIn: channels * filterHeight * filterWidth, using: &rng, as: Scalar.self)
        self.init(weight: Parameter(name: "W\(index)", kind: .weight, value: w),
                  bias: Parameter(name: "b\(index)", kind: .bias, value: Tensor(shape: [filters])),
                  stride: stride, pad: pad)
    }

    /// The output size for an input of `height × width`.
    /// - Throws: ``ConvolutionSizeError`` when the filters do not fit.
    public func geometry(height: Int, width: Int) throws(ConvolutionSizeError) -> ConvolutionGeometry {
        try ConvolutionGeometry(inputHeight: height, inputWidth: width, filterHeight: filterHeight,
                                filterWidth: filterWidth, stride: stride, pad: pad)
    }

    private func geometry(for x: Tensor<Scalar>) -> ConvolutionGeometry {
        precondition(x.rank == 4 && x.shape[1] == channels,
                     "\(summary) expects [N, \(channels), H, W], got \(x.shape)")
        if let g = geometry, g.inputHeight == x.shape[2], g.inputWidth == x.shape[3] { return g }
        do {
            let g = try geometry(height: x.shape[2], width: x.shape[3])
            geometry = g
            return g
        } catch {
            preconditionFailure("\(summary): \(error)")
        }
    }

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        forward(x, mode: mode, thenReLU: false)
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        backward(dout, inputGradient: true)!
    }

    /// The parameter gradients only, without ∂L/∂x: for the first layer of a network, whose
    /// input (the images) needs no gradient.
    public func backwardParameters(_ dout: Tensor<Scalar>) {
        _ = backward(dout, inputGradient: false)
    }

    private func backward(_ dout: Tensor<Scalar>, inputGradient: Bool) -> Tensor<Scalar>? {
        guard let input, let g = geometry else {
            preconditionFailure("Convolution.backward needs a forward pass first (each forward's input serves one backward pass)")
        }
        self.input = nil
        if !trained {
            // After an inference pass: the output and pooling winners again, in training mode.
            Conv2D.forward(input, weight: weight.value, bias: bias.value, geometry: g, then: epilogue,
                           recordingWinners: true, into: &buffers)
        }
        Conv2D.backward(dout, input: input, weight: weight.value, geometry: g, through: epilogue,
                        inputGradient: inputGradient, buffers: &buffers, dW: &weight.gradient, db: &bias.gradient)
        return inputGradient ? buffers.inputGradient : nil
    }

    // MARK: Fused with the ReLU and max pooling after it

    /// This convolution, then ReLU, then (optionally) `pooling`, in one pass per image: the
    /// same numbers as the three layers' `forward`s one after the other, without writing or
    /// re-reading the convolution's full output (the pooling reads each image's output while
    /// it is still in cache). ``backward(_:)`` then takes ∂L/∂(this output) and goes back
    /// through all three; the ReLU and MaxPooling layers themselves are not used (nor updated).
    /// A pooling window of 255 elements or more is not fused (see ``fusedLayerCount(in:at:)``).
    public func forward(_ x: Tensor<Scalar>, mode: Mode, thenReLU relu: Bool,
                        thenMaxPooling pooling: MaxPooling<Scalar>? = nil) -> Tensor<Scalar> {
        let g = geometry(for: x)
        var pool: ConvolutionGeometry?
        if let pooling {
            if let cached = poolGeometry, cached.layer == ObjectIdentifier(pooling),
               cached.geometry.inputHeight == g.outputHeight, cached.geometry.inputWidth == g.outputWidth {
                pool = cached.geometry
            } else {
                do {
                    pool = try pooling.geometry(height: g.outputHeight, width: g.outputWidth)
                } catch {
                    preconditionFailure("\(pooling.summary): \(error)")
                }
                precondition(pool!.windowSize < Int(Pool2D.paddingWon), "\(pooling.summary) is too large a window to fuse")
                poolGeometry = (ObjectIdentifier(pooling), pool!)
            }
        }
        let epilogue = Conv2D.Epilogue(relu: relu, maxPool: pool)
        (input, self.epilogue) = (x, epilogue)
        guard mode == .training else {
            trained = false
            return Conv2D.forward(x, weight: weight.value, bias: bias.value, geometry: g, then: epilogue,
                                  recordingWinners: false).output
        }
        Conv2D.forward(x, weight: weight.value, bias: bias.value, geometry: g, then: epilogue,
                       recordingWinners: true, into: &buffers)
        trained = true
        return buffers.output
    }

    /// How many of `layers`, from `index`, ``forward(_:mode:thenReLU:thenMaxPooling:)`` can run
    /// as one pass: 0 when `layers[index]` is not a Convolution, else 1 (the convolution alone),
    /// 2 (a ReLU follows) or 3 (ReLU, then a MaxPooling of fewer than 255 elements per window).
    /// A network runs `layers[index]` as
    /// `conv.forward(x, mode: mode, thenReLU: count > 1, thenMaxPooling: count > 2 ? layers[index + 2] as? MaxPooling : nil)`
    /// and, going back, calls `conv.backward` once for the `count` layers.
    public static func fusedLayerCount(in layers: [any Layer<Scalar>], at index: Int) -> Int {
        guard index < layers.count, layers[index] is Convolution<Scalar> else { return 0 }
        guard index + 1 < layers.count, layers[index + 1] is ReLU<Scalar> else { return 1 }
        guard index + 2 < layers.count, let pool = layers[index + 2] as? MaxPooling<Scalar>,
              pool.poolHeight * pool.poolWidth < Int(Pool2D.paddingWon) else { return 2 }
        return 3
    }

    /// `layers` cut into the steps a network runs: each Convolution with the ReLU and max
    /// pooling it fuses (``fusedLayerCount(in:at:)``), every other layer on its own. Forward,
    /// a step is ``forward(step:of:_:mode:)``; backward, `layers[step.lowerBound].backward`
    /// (or `backwardParameters` for the first step), once per step.
    public static func fusedSteps(_ layers: [any Layer<Scalar>]) -> [Range<Int>] {
        var steps: [Range<Int>] = []
        var i = 0
        while i < layers.count {
            let count = max(1, fusedLayerCount(in: layers, at: i))
            steps.append(i..<(i + count))
            i += count
        }
        return steps
    }

    /// Runs one step of ``fusedSteps(_:)`` forward: a fused convolution, or the layer itself.
    public static func forward(step: Range<Int>, of layers: [any Layer<Scalar>], _ x: Tensor<Scalar>,
                               mode: Mode) -> Tensor<Scalar> {
        guard let conv = layers[step.lowerBound] as? Convolution<Scalar> else {
            return layers[step.lowerBound].forward(x, mode: mode)
        }
        return conv.forward(x, mode: mode, thenReLU: step.count > 1,
                            thenMaxPooling: step.count > 2 ? layers[step.lowerBound + 2] as? MaxPooling<Scalar> : nil)
    }

    public var summary: String {
        "Convolution \(filters)×\(channels)×\(filterHeight)×\(filterWidth) (stride \(stride), pad \(pad))"
    }
}
