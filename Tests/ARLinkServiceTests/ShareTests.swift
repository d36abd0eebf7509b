import ARLinkTestSupport
import Foundation
import Testing

/// share/ holds what the argument parser generates: completions and the man page.
@Suite("share/: completions and man page")
struct ShareTests {
    static let completions = [
        ("bash", "share/bash-completion/completions/arlink"),
        ("zsh", "share/zsh/site-functions/_arlink"),
        ("fish", "share/fish/vendor_completions.d/arlink.fish"),
    ]

    @Test("the committed completions are what the built arlink generates (scripts/generate-share.sh refreshes them)")
    func completionsCurrent() throws {
        for (shell, path) in Self.completions {
            let generated = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["--generate-completion-script", shell])
            #expect(generated.status == 0)
            let committed = try String(contentsOfFile: RepositoryPaths.root + "/" + path, encoding: .utf8)
            #expect(committed == generated.stdout, "\(path) is stale: run scripts/generate-share.sh")
            #expect(committed.contains("serve") && committed.contains("status"))
        }
        let syntax = try ProcessRunner.run("bash", ["-n", RepositoryPaths.root + "/share/bash-completion/completions/arlink"])
        #expect(syntax.status == 0, "\(syntax.stderr)")
    }

    @Test("the man page documents every command")
    func manPage() throws {
        let page = try String(contentsOfFile: RepositoryPaths.root + "/share/man/man1/arlink.1", encoding: .utf8)
        #expect(page.contains(".Dd ") && page.contains(".Sh NAME"), "not an mdoc page")
        for command in ["serve", "status", "outbound", "inbound", "keys", "audit", "demo"] {
            #expect(page.contains(command), "\(command) missing from the man page")
        }
    }
}
