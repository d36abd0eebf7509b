import ArgumentParser

/// `arlink outbound`: placeholder until the outbound job lands in this build.
struct OutboundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbound", abstract: "(outbound: not available in this build yet)")

    func run() throws {
        print("arlink outbound is not available in this build yet")
        throw ExitCode(70)
    }
}
