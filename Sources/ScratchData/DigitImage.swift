/// A grayscale image of floating-point intensities in 0…1, row-major, top row first.
///
/// In ``DigitImage``'s steps the values are *ink*: 0 is background, 1 the strongest stroke,
/// as in MNIST (white digit on black).
public struct IntensityImage: Sendable, Equatable {
    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// `width · height` intensities.
    public var values: [Float]

    /// Creates an image; `values.count` must be `width · height`.
    public init(width: Int, height: Int, values: [Float]) {
        precondition(width >= 0 && height >= 0 && values.count == width * height,
                     "\(values.count) values do not fill \(width)×\(height)")
        self.width = width
        self.height = height
        self.values = values
    }

    /// An image of zeros.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, values: [Float](repeating: 0, count: width * height))
    }

    /// The intensity at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }
}

/// A rectangle of pixels: columns `x ..< x + width`, rows `y ..< y + height`.
public struct PixelBox: Sendable, Equatable {
    /// Left column.
    public var x: Int
    /// Top row.
    public var y: Int
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int

    /// Creates a box.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// Turns a picture of one handwritten digit into the 28×28 input an MNIST network expects,
/// the way LeCun et al. made MNIST from NIST's scans:
/// ```
/// gray 0…1 ─▶ ink: invert when the background is light (mean of the border pixels > 0.5),
///             then stretch so the background (median border level) is 0 and the darkest
///             stroke 1
///          ─▶ crop to the bounding box of the ink (> inkThreshold, isolated specks ignored)
///          ─▶ scale so the longer side is 20 pixels, keeping the aspect ratio
///             (area-averaging when shrinking, bilinear when enlarging: anti-aliased gray edges)
///          ─▶ place in a 28×28 black canvas so the centre of mass lands on pixel (14, 14)
/// ```
/// The result: 784 values in 0…1, row-major, white digit on black, like `load_mnist(normalize: true)`.
/// Used by `scratchnet predict IMAGE…`.
public enum DigitImage {
    /// Side of the output canvas (MNIST: 28).
    public static let side = 28
    /// Side of the box the digit is scaled into (MNIST: 20).
    public static let digitBox = 20
    /// Ink above this (after stretching to 0…1) counts for the bounding box.
    public static let inkThreshold: Float = 0.2

    /// Reads an image file (PNG or PGM, any size) and returns its 784 MNIST-style values.
    /// - Throws: ``ImageFileError``: unreadable or undecodable file, or no digit in it.
    public static func load(path: String) throws -> [Float] {
        try preprocess(ImageFile.load(path: path).grayscale(), source: path).values
    }

    /// The whole pipeline on a decoded gray image: the 28×28 MNIST-style digit.
    /// - Throws: ``ImageFileError/noDigit(source:)`` when every pixel has the same shade.
    public static func preprocess(_ image: GrayImage, source: String = "the image",
                                  threshold: Float = inkThreshold) throws -> IntensityImage {
        let ink = try inkImage(image, source: source)
        guard let box = inkBox(ink, threshold: threshold) else { throw ImageFileError.noDigit(source: source) }
        let digit = crop(ink, to: box)
        let size = fittedSize(width: box.width, height: box.height, inside: digitBox)
        return centred(resample(digit, width: size.width, height: size.height), side: side)
    }

    // MARK: Steps

    /// The mean of the border pixels (outermost rows and columns), 0 black … 1 white.
    public static func borderMean(_ image: GrayImage) -> Float {
        let border = borderIndices(width: image.width, height: image.height)
        guard !border.isEmpty else { return 0 }
        let sum = border.reduce(0) { $0 + Int(image.pixels[$1]) }
        return Float(sum) / Float(border.count) / 255
    }

    /// Whether the picture is dark ink on a light background (border mean above 0.5).
    public static func hasLightBackground(_ image: GrayImage) -> Bool {
        borderMean(image) > 0.5
    }

    /// Ink intensities: gray / 255, inverted for a light background, then stretched linearly so
    /// the background (the median border level) is 0 and the strongest ink 1 (clamped to 0…1).
    /// - Throws: ``ImageFileError/noDigit(source:)`` when every pixel has the same shade.
    public static func inkImage(_ image: GrayImage, source: String = "the image") throws -> IntensityImage {
        guard let low = image.pixels.min(), let high = image.pixels.max(), low != high else {
            throw ImageFileError.noDigit(source: source)
        }
        let invert = hasLightBackground(image)
        // Ink level 0…255 of a gray level.
        let inkLevel: (UInt8) -> Int = { invert ? 255 - Int($0) : Int($0) }
        let border = borderIndices(width: image.width, height: image.height).map { inkLevel(image.pixels[$0]) }.sorted()
        var background = border.isEmpty ? 0 : border[border.count / 2]
        let strongest = max(inkLevel(low), inkLevel(high))
        if strongest <= background { background = min(inkLevel(low), inkLevel(high)) }
        let span = Float(strongest - background)
        // One value per gray level: a lookup table keeps big images fast.
        let table: [Float] = (0 ... 255).map { gray in
            max(0, min(1, Float(inkLevel(UInt8(gray)) - background) / span))
        }
        let values = image.pixels.map { table[Int($0)] }
        return IntensityImage(width: image.width, height: image.height, values: values)
    }

    /// The smallest box holding every pixel above `threshold` that has a neighbour above it
    /// too (a lone speck of noise does not stretch the box); when no pixel has such a
    /// neighbour, every pixel above `threshold` counts. `nil` when nothing is above it.
    public static func inkBox(_ ink: IntensityImage, threshold: Float = inkThreshold) -> PixelBox? {
        func box(requireNeighbour: Bool) -> PixelBox? {
            let width = ink.width, height = ink.height
            var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
            ink.values.withUnsafeBufferPointer { v in
                for y in 0 ..< height {
                    for x in 0 ..< width where v[y * width + x] > threshold {
                        if requireNeighbour {
                            var found = false
                            search: for ny in max(0, y - 1) ... min(height - 1, y + 1) {
                                for nx in max(0, x - 1) ... min(width - 1, x + 1)
                                where (nx != x || ny != y) && v[ny * width + nx] > threshold {
                                    found = true
                                    break search
                                }
                            }
                            if !found { continue }
                        }
                        minX = min(minX, x); maxX = max(maxX, x)
                        minY = min(minY, y); maxY = max(maxY, y)
                    }
                }
            }
            guard maxX >= 0 else { return nil }
            return PixelBox(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
        }
        return box(requireNeighbour: true) ?? box(requireNeighbour: false)
    }

    /// The pixels inside `box` (clipped to the image).
    public static func crop(_ image: IntensityImage, to box: PixelBox) -> IntensityImage {
        let x0 = max(0, box.x), y0 = max(0, box.y)
        let x1 = min(image.width, box.x + box.width), y1 = min(image.height, box.y + box.height)
        guard x1 > x0, y1 > y0 else { return IntensityImage(width: 0, height: 0) }
        var values: [Float] = []
        values.reserveCapacity((x1 - x0) * (y1 - y0))
        for y in y0 ..< y1 {
            values += image.values[y * image.width + x0 ..< y * image.width + x1]
        }
        return IntensityImage(width: x1 - x0, height: y1 - y0, values: values)
    }

    /// The size of a `width × height` box scaled so its longer side is `side`, keeping the
    /// aspect ratio (the shorter side rounded, at least 1).
    public static func fittedSize(width: Int, height: Int, inside side: Int = digitBox) -> (width: Int, height: Int) {
        guard width > 0, height > 0 else { return (0, 0) }
        let scale = Double(side) / Double(max(width, height))
        return (max(1, min(side, Int((Double(width) * scale).rounded()))),
                max(1, min(side, Int((Double(height) * scale).rounded()))))
    }

    /// The image resampled to `width × height`, one axis after the other: where an axis
    /// shrinks, each output pixel is the area-weighted mean of the input pixels it covers (a box
    /// filter, like PIL's `Image.BOX`); where it grows, bilinear interpolation between pixel centres.
    public static func resample(_ image: IntensityImage, width: Int, height: Int) -> IntensityImage {
        guard image.width > 0, image.height > 0, width > 0, height > 0 else {
            return IntensityImage(width: max(0, width), height: max(0, height))
        }
        let columns = weights(from: image.width, to: width)
        let rows = weights(from: image.height, to: height)
        // Horizontal pass: image.height × width.
        var horizontal = [Float](repeating: 0, count: image.height * width)
        image.values.withUnsafeBufferPointer { input in
            for y in 0 ..< image.height {
                let row = y * image.width
                for (x, taps) in columns.enumerated() {
                    var sum: Float = 0
                    for tap in taps { sum += input[row + tap.index] * tap.weight }
                    horizontal[y * width + x] = sum
                }
            }
        }
        // Vertical pass: height × width.
        var out = [Float](repeating: 0, count: height * width)
        for (y, taps) in rows.enumerated() {
            for x in 0 ..< width {
                var sum: Float = 0
                for tap in taps { sum += horizontal[tap.index * width + x] * tap.weight }
                out[y * width + x] = max(0, min(1, sum))
            }
        }
        return IntensityImage(width: width, height: height, values: out)
    }

    struct Tap {
        var index: Int
        var weight: Float
    }

    /// For each of `m` output pixels, the input pixels (of `n`) and their weights, summing to 1.
    static func weights(from n: Int, to m: Int) -> [[Tap]] {
        let scale = Double(n) / Double(m)
        return (0 ..< m).map { o in
            if scale >= 1 {
                // Box filter: the input interval [o·scale, (o+1)·scale) and its overlaps.
                let low = Double(o) * scale, high = Double(o + 1) * scale
                var taps: [Tap] = []
                var i = Int(low.rounded(.down))
                while Double(i) < high && i < n {
                    let overlap = min(high, Double(i + 1)) - max(low, Double(i))
                    if overlap > 1e-9 { taps.append(Tap(index: i, weight: Float(overlap / scale))) }
                    i += 1
                }
                return taps
            }
            // Bilinear: the output pixel's centre mapped into the input, between two centres.
            let position = min(Double(n - 1), max(0, (Double(o) + 0.5) * scale - 0.5))
            let i = Int(position.rounded(.down))
            let fraction = Float(position - Double(i))
            return i + 1 < n && fraction > 0
                ? [Tap(index: i, weight: 1 - fraction), Tap(index: i + 1, weight: fraction)]
                : [Tap(index: i, weight: 1)]
        }
    }

    /// The intensity-weighted mean position `(Σ v·x / Σ v, Σ v·y / Σ v)` in pixel indices
    /// (pixel (0, 0) is the top-left one); `nil` for an all-zero image.
    public static func centreOfMass(_ image: IntensityImage) -> (x: Double, y: Double)? {
        var total = 0.0, sumX = 0.0, sumY = 0.0
        for y in 0 ..< image.height {
            for x in 0 ..< image.width {
                let v = Double(image.values[y * image.width + x])
                total += v
                sumX += v * Double(x)
                sumY += v * Double(y)
            }
        }
        guard total > 0 else { return nil }
        return (sumX / total, sumY / total)
    }

    /// `digit` placed in a black `side × side` canvas, shifted by whole pixels so its centre of
    /// mass falls on pixel (side/2, side/2) = (14, 14), as MNIST's are; the shift is limited so
    /// a digit that fits is never cut off.
    public static func centred(_ digit: IntensityImage, side: Int = side) -> IntensityImage {
        var canvas = IntensityImage(width: side, height: side)
        let centre = Double(side / 2)
        let mass = centreOfMass(digit) ?? (Double(digit.width - 1) / 2, Double(digit.height - 1) / 2)
        func offset(_ com: Double, _ length: Int) -> Int {
            let ideal = Int((centre - com).rounded())
            return length <= side ? max(0, min(side - length, ideal)) : ideal
        }
        let ox = offset(mass.x, digit.width), oy = offset(mass.y, digit.height)
        for y in 0 ..< digit.height where (0 ..< side).contains(y + oy) {
            for x in 0 ..< digit.width where (0 ..< side).contains(x + ox) {
                canvas[x + ox, y + oy] = digit[x, y]
            }
        }
        return canvas
    }

    /// Indices of the outermost rows and columns, each pixel once.
    static func borderIndices(width: Int, height: Int) -> [Int] {
        guard width > 0, height > 0 else { return [] }
        var indices = Array(0 ..< width)
        if height > 1 { indices += ((height - 1) * width ..< height * width) }
        if height > 2 {
            for y in 1 ..< height - 1 {
                indices.append(y * width)
                if width > 1 { indices.append(y * width + width - 1) }
            }
        }
        return indices
    }
}
