import ArgumentParser

/// `arlink keys`: placeholder until its capability lands; prints that it is not available yet.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "(keys: not available in this build yet)")

    func run() throws {
        print("arlink keys is not available in this build yet")
        throw ExitCode(70)
    }
}
