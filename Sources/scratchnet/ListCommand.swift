import ArgumentParser
import ScratchLab

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the course's hands-on experiments and their variants.",
        discussion: "Run one with: scratchnet run NAME (for example: scratchnet run vanishing-gradient --quick).")

    @Flag(name: .shortAndLong, help: "Also list each hands-on's variants (for --only).")
    var verbose = false

    func run() {
        let width = Catalogue.all.map(\.id.count).max() ?? 0
        for handsOn in Catalogue.all {
            let name = handsOn.id.padding(toLength: width, withPad: " ", startingAt: 0)
            Console.line("\(name)  \(handsOn.courseSection)  \(handsOn.summary)")
            if verbose {
                for v in handsOn.variants {
                    Console.line("    \(v.id.padding(toLength: 20, withPad: " ", startingAt: 0)) \(v.title) — \(v.job.optimizer)")
                }
            }
        }
    }
}
