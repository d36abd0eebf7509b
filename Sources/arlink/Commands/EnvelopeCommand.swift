import ArgumentParser

/// `arlink envelope`: placeholder until its capability lands; prints that it is not available yet.
struct EnvelopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "envelope", abstract: "(envelope: not available in this build yet)")

    func run() throws {
        print("arlink envelope is not available in this build yet")
        throw ExitCode(70)
    }
}
