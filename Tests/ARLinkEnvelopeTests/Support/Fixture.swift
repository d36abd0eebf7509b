@testable import ARLinkEnvelope
import Foundation
import Testing

/// Shared test material: a private copy of keys-example plus the extra certificates of
/// `Fixtures/make-test-material.sh`, generated once per test process with the openssl CLI.
struct Fixture: Sendable {
    let root: String

    static let repositoryRoot: String = {
        // Tests/ARLinkEnvelopeTests/Support/Fixture.swift -> repository root
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    private static let made: Result<Fixture, FixtureError> = {
        let root = NSTemporaryDirectory() + "arlink-envelope-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let script = repositoryRoot + "/Tests/ARLinkEnvelopeTests/Fixtures/make-test-material.sh"
        let result = Shell.run("bash '\(script)' '\(repositoryRoot)/keys-example' '\(root)'")
        guard result.status == 0 else { return .failure(FixtureError(text: "test material script failed: \(result.stderr)")) }
        return .success(Fixture(root: root))
    }()

    /// The shared fixture; fails the test with the script's error if it could not be made.
    static func get() throws -> Fixture { try made.get() }

    func path(_ relative: String) -> String { root + "/" + relative }
}

struct FixtureError: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}

/// Runs shell commands (the openssl CLI as the partner's tool).
enum Shell {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `script` with `bash -c` (pipefail on), capturing output through files.
    @discardableResult
    static func run(_ script: String, in directory: String? = nil) -> Result {
        let tmp = NSTemporaryDirectory() + "arlink-shell-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: tmp + ".out", contents: nil)
        FileManager.default.createFile(atPath: tmp + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: tmp + ".out")
            try? FileManager.default.removeItem(atPath: tmp + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -o pipefail; " + script]
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        guard let out = FileHandle(forWritingAtPath: tmp + ".out"), let err = FileHandle(forWritingAtPath: tmp + ".err") else {
            return Result(status: -1, stdout: "", stderr: "cannot create capture files")
        }
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return Result(status: -1, stdout: "", stderr: "\(error)") }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let stdout = (try? String(contentsOfFile: tmp + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: tmp + ".err", encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

/// A temporary folder removed on deinit, with an `out/` folder for outputs so tests can prove
/// that nothing (no plaintext, no temporary file) was left behind.
final class Scratch {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "arlink-env-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { dir + "/" + name }
    var output: String { dir + "/out/plain.out" }

    /// Names in `out/` (should be empty after a refusal).
    func outputFolderContents() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dir + "/out")) ?? ["<unreadable>"]
    }

    /// Writes `count` deterministic pseudo-random bytes with a readable marker inside.
    @discardableResult
    func makePlaintext(_ name: String = "plain.bin", count: Int = 300_000, seed: UInt64 = 42) throws -> String {
        var state = seed
        var bytes = [UInt8](repeating: 0, count: count)
        for i in bytes.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
        }
        let marker = Array("ACCOUNT-MARKER-0001".utf8)
        if count > marker.count * 2 {
            bytes.replaceSubrange((count / 3)..<(count / 3 + marker.count), with: marker)
        }
        let path = self.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = self.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension Fixture {
    /// The validity window of a fixture certificate, so that tests pick their instants from the
    /// certificate itself rather than from today's date or the age of committed material.
    func validity(_ relative: String) throws -> (notBefore: Date, notAfter: Date) {
        let cert = try X509Handle.load(path: path(relative))
        return (cert.notBefore, cert.notAfter)
    }

    /// An instant one day into the validity of a fixture certificate.
    func insideValidity(_ relative: String) throws -> Date {
        try validity(relative).notBefore.addingTimeInterval(86_400)
    }
}
