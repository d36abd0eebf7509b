import ArgumentParser

/// `arlink transport`: placeholder until its capability lands; prints that it is not available yet.
struct TransportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "transport", abstract: "(transport: not available in this build yet)")

    func run() throws {
        print("arlink transport is not available in this build yet")
        throw ExitCode(70)
    }
}
