import Foundation

/// Writing to the terminal: results to standard output, diagnostics to standard error.
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
    }

    /// Whether standard output is an interactive terminal.
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Prints a line to standard output, unbuffered so it interleaves
    /// correctly with the progress bar.
    static func line(_ text: String = "") {
        write(text + "\n")
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
