import ArgumentParser

/// `arlink demo`: placeholder until its capability lands; prints that it is not available yet.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "(demo: not available in this build yet)")

    func run() throws {
        print("arlink demo is not available in this build yet")
        throw ExitCode(70)
    }
}
