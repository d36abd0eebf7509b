import ArgumentParser

/// `arlink audit`: placeholder until its capability lands; prints that it is not available yet.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "(audit: not available in this build yet)")

    func run() throws {
        print("arlink audit is not available in this build yet")
        throw ExitCode(70)
    }
}
