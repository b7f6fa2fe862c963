/// A decoded image: `width × height` pixels of 1–4 interleaved channels, row-major, top row first.
///
/// Samples keep the file's precision: 0…``maxValue`` (255 for 8-bit PNG, 65,535 for 16-bit,
/// any `maxval` for PGM; 1-, 2- and 4-bit PNG grays keep 1, 3 and 15). Palette images are
/// expanded to RGB (RGBA when the palette has transparency).
public struct RasterImage: Sendable, Equatable {
    /// The channels of each pixel, in storage order.
    public enum Channels: Int, Sendable, CaseIterable {
        /// Gray (luminance).
        case gray = 1
        /// Gray then alpha (opacity).
        case grayAlpha = 2
        /// Red, green, blue.
        case rgb = 3
        /// Red, green, blue, alpha.
        case rgba = 4

        /// Samples per pixel.
        public var count: Int { rawValue }
        /// Whether the last sample of each pixel is alpha.
        public var hasAlpha: Bool { self == .grayAlpha || self == .rgba }
    }

    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// The channels of each pixel.
    public var channels: Channels
    /// The sample value meaning full intensity (white, or fully opaque for alpha).
    public var maxValue: Int
    /// `width · height · channels.count` samples, pixel after pixel, row after row.
    public var samples: [UInt16]

    /// Creates an image; `samples.count` must be `width · height · channels.count`.
    public init(width: Int, height: Int, channels: Channels, maxValue: Int, samples: [UInt16]) {
        precondition(width >= 0 && height >= 0 && samples.count == width * height * channels.count,
                     "\(samples.count) samples do not fill \(width)×\(height) pixels of \(channels)")
        precondition((1 ... 65535).contains(maxValue), "maxValue \(maxValue) is outside 1…65535")
        self.width = width
        self.height = height
        self.channels = channels
        self.maxValue = maxValue
        self.samples = samples
    }

    /// The image as 8-bit gray: luminance `0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601, what
    /// PIL's `convert("L")` uses), composited over white where there is alpha
    /// (`gray · α + 1 · (1 − α)`), rounded to 0…255.
    public func grayscale() -> GrayImage {
        let pixelCount = width * height
        let scale = 1 / Float(maxValue)
        let stride = channels.count
        let pixels = [UInt8](unsafeUninitializedCapacity: pixelCount) { out, initialized in
            samples.withUnsafeBufferPointer { s in
                for p in 0 ..< pixelCount {
                    let base = p * stride
                    var luminance: Float
                    switch channels {
                    case .gray, .grayAlpha:
                        luminance = Float(s[base]) * scale
                    case .rgb, .rgba:
                        luminance = (0.299 * Float(s[base]) + 0.587 * Float(s[base + 1]) + 0.114 * Float(s[base + 2])) * scale
                    }
                    if channels.hasAlpha {
                        let alpha = Float(s[base + stride - 1]) * scale
                        luminance = luminance * alpha + (1 - alpha)
                    }
                    out[p] = UInt8(max(0, min(255, (luminance * 255).rounded())))
                }
            }
            initialized = pixelCount
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }
}

/// An 8-bit grayscale image: 0 is black, 255 white; row-major, top row first.
public struct GrayImage: Sendable, Equatable {
    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// `width · height` gray levels.
    public var pixels: [UInt8]

    /// Creates an image; `pixels.count` must be `width · height`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "\(pixels.count) pixels do not fill \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The gray level at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }
}
