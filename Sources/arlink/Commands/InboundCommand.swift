import ArgumentParser

/// `arlink inbound`: placeholder until its capability lands; prints that it is not available yet.
struct InboundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inbound", abstract: "(inbound: not available in this build yet)")

    func run() throws {
        print("arlink inbound is not available in this build yet")
        throw ExitCode(70)
    }
}
