import ArgumentParser

/// `arlink outbound`: placeholder until its capability lands; prints that it is not available yet.
struct OutboundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbound", abstract: "(outbound: not available in this build yet)")

    func run() throws {
        print("arlink outbound is not available in this build yet")
        throw ExitCode(70)
    }
}
