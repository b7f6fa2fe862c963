import ArgumentParser
import ScratchTensor

@main
struct ScratchNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scratchnet",
        abstract: "Deep learning from scratch: the course's Day 2 hands-ons on MNIST, one command each.",
        discussion: """
        Data: full MNIST is read from --data-dir DIR, else $SCRATCHNET_DATA, else the user cache \
        (~/.cache/scratchnet/mnist), else downloaded into the cache from public mirrors; when none \
        of that works, a bundled sample (the first 5,000 training / 1,000 test images) is used. \
        Every run says which data it used.
        """,
        subcommands: [ListCommand.self, RunCommand.self, TrainCommand.self, EvaluateCommand.self, PredictCommand.self,
                     ExplainCommand.self])

    static func main() {
        // Before any worker thread starts, so that every thread inherits it (see SubnormalFlushing).
        SubnormalFlushing.set(true)
        main(nil)
    }
}
