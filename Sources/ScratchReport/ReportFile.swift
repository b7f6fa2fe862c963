import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing report files so that a reader never sees half a file: the content goes to a
/// temporary file in the same directory, which is then renamed over the target
/// (`rename(2)` is atomic within one file system).
public enum ReportFile {
    /// Writes `contents` as UTF-8 to `url` atomically, replacing any existing file.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public static func writeAtomically(_ contents: String, to url: URL) throws {
        try writeAtomically(Data(contents.utf8), to: url)
    }

    /// Writes `data` to `url` atomically, replacing any existing file.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)``.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            throw ReportError.writeFailed(path: url.path, reason: String(describing: error))
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ReportError.writeFailed(path: url.path, reason: reason)
        }
    }
}

/// A report folder: creates the directory and writes charts and the index page into it.
///
/// ```swift
/// let folder = try ReportFolder(url: runs.appendingPathComponent("optimizers"))
/// try folder.write(chart, named: "sgd.svg")
/// try folder.write(report)          // index.html
/// ```
public struct ReportFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Opens `url`, creating it and any missing parents.
    ///
    /// - Throws: ``ReportError/writeFailed(path:reason:)`` when the directory cannot be created.
    public init(url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ReportError.writeFailed(path: url.path, reason: String(describing: error))
        }
        self.url = url
    }

    /// Writes text to `fileName` inside the folder, atomically, and returns its URL.
    ///
    /// - Throws: ``ReportError/invalidFileName(_:)`` for names with a `/`, `.` or `..`;
    ///   ``ReportError/writeFailed(path:reason:)``.
    @discardableResult
    public func write(_ contents: String, named fileName: String) throws -> URL {
        guard !fileName.isEmpty, fileName != ".", fileName != "..", !fileName.contains("/"), !fileName.contains("\\"),
              !fileName.contains("\0") else {
            throw ReportError.invalidFileName(fileName)
        }
        let target = url.appendingPathComponent(fileName)
        try ReportFile.writeAtomically(contents, to: target)
        return target
    }

    /// Writes a chart as a standalone `.svg` file.
    @discardableResult
    public func write(_ chart: some SVGChart, named fileName: String, width: Double = 640, height: Double = 400) throws -> URL {
        try write(chart.svg(width: width, height: height), named: fileName)
    }

    /// Writes the report as `index.html` (or another name).
    @discardableResult
    public func write(_ report: HTMLReport, named fileName: String = "index.html") throws -> URL {
        try write(report.render(), named: fileName)
    }
}
