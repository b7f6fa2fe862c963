import Foundation

/// Writes a run's history as `history.csv` and `history.json` into a folder.
public enum HistoryFiles {
    /// The JSON document: the settings that produced the run, where its data
    /// came from, and everything it measured.
    public struct Document: Codable, Sendable {
        public var name: String
        public var settings: [String: String]
        public var data: String
        public var outcome: String
        public var finalTrainAccuracy: Double?
        public var finalTestAccuracy: Double?
        public var history: History
    }

    /// CSV text with one row per record.
    public static func csv(_ history: History) -> String {
        var lines = ["iteration,epoch,loss,train_accuracy,test_accuracy,elapsed_seconds"]
        for r in history.records {
            lines.append("\(r.iteration),\(format(r.epoch)),\(format(r.loss)),\(format(r.trainAccuracy)),\(format(r.testAccuracy)),\(format(r.elapsedSeconds))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `history.csv` and `history.json` into `folder` (created if
    /// needed). Each file is written to a temporary file and renamed into place.
    @discardableResult
    public static func write(
        _ history: History, name: String, settings: [String: String], data: String, to folder: URL
    ) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let document = Document(name: name, settings: settings, data: data, outcome: history.outcome.description,
                                finalTrainAccuracy: history.finalTrainAccuracy,
                                finalTestAccuracy: history.finalTestAccuracy, history: history)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let csvURL = folder.appendingPathComponent("history.csv")
        let jsonURL = folder.appendingPathComponent("history.json")
        try Data(csv(history).utf8).write(to: csvURL, options: .atomic)
        try encoder.encode(document).write(to: jsonURL, options: .atomic)
        return [csvURL, jsonURL]
    }

    private static func format(_ x: Double) -> String {
        x.isFinite ? String(x) : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf"))
    }
}
