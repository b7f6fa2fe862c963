import Foundation

/// An sRGB colour with 8 bits per channel.
public struct RGBColor: Sendable, Hashable, CustomStringConvertible {
    /// Red, 0...255.
    public var red: UInt8
    /// Green, 0...255.
    public var green: UInt8
    /// Blue, 0...255.
    public var blue: UInt8

    /// A colour from its three channels.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from a 24-bit `0xRRGGBB` literal: `RGBColor(hex: 0x4E79A7)`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// The CSS / SVG form, `#4e79a7`.
    public var hexString: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for channel in [red, green, blue] {
            s.append(digits[Int(channel >> 4)])
            s.append(digits[Int(channel & 0xF)])
        }
        return s
    }

    /// Same as ``hexString``.
    public var description: String { hexString }

    /// The colour `fraction` of the way from `self` to `other` (0 gives `self`, 1 gives `other`).
    public func mixed(with other: RGBColor, fraction: Double) -> RGBColor {
        let t = min(1, max(0, fraction.isFinite ? fraction : 0))
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded())
        }
        return RGBColor(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    /// WCAG relative luminance in 0...1; text on colours above ~0.4 should be dark.
    public var relativeLuminance: Double {
        func linear(_ c: UInt8) -> Double {
            let v = Double(c) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// White.
    public static let white = RGBColor(hex: 0xFFFFFF)
    /// Black.
    public static let black = RGBColor(hex: 0x000000)
}

/// An ordered list of distinguishable series colours; series `i` gets colour `i % count`.
public struct Palette: Sendable, Hashable {
    /// The colours in order.
    public var colors: [RGBColor]

    /// A palette of the given colours (an empty list falls back to ``tableau10``).
    public init(colors: [RGBColor]) {
        self.colors = colors.isEmpty ? Palette.tableau10.colors : colors
    }

    /// The colour for series number `index` (cycling).
    public func color(at index: Int) -> RGBColor {
        colors[((index % colors.count) + colors.count) % colors.count]
    }

    /// Tableau 10 (2016 revision): distinct for common colour-vision deficiencies, the default.
    public static let tableau10 = Palette(uncheckedColors: [
        0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
        0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC,
    ].map(RGBColor.init(hex:)))

    /// Okabe–Ito, ordered for lines on white (the pale yellow comes last).
    public static let okabeIto = Palette(uncheckedColors: [
        0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000, 0xF0E442,
    ].map(RGBColor.init(hex:)))

    private init(uncheckedColors: [RGBColor]) { colors = uncheckedColors }
}

/// A sequential colour ramp (light to dark) for heatmaps, sampled by linear interpolation.
struct ColorRamp: Sendable {
    let stops: [RGBColor]

    /// ColorBrewer "Blues", the ramp of matplotlib's confusion-matrix plots.
    static let blues = ColorRamp(stops: [
        0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B,
    ].map(RGBColor.init(hex:)))

    /// The colour at `t` in 0...1.
    func color(at t: Double) -> RGBColor {
        let clamped = t.isFinite ? min(1, max(0, t)) : 0
        let position = clamped * Double(stops.count - 1)
        let lower = min(stops.count - 2, Int(position))
        return stops[lower].mixed(with: stops[lower + 1], fraction: position - Double(lower))
    }
}
