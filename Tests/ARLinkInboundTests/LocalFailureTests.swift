import ARLinkCore
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A failure on our side (a broken trust file, loose key permissions) stops the run with 77 or
/// 78 before anything is fetched: the partner's file stays in the outbox, nothing is
/// quarantined, applied, exported or receipted, and once the fault is fixed the same file is
/// applied.
@Suite("Our own faults never quarantine a partner's file (the built executable)", .serialized, .timeLimit(.minutes(10)))
struct LocalFailureTests {
    /// How to break the configuration of a fixture whose keys are in place.
    struct Fault: Sendable, CustomTestStringConvertible {
        let name: String
        let status: Int32
        /// Breaks the fixture; the second closure mends it.
        let apply: @Sendable (InboundFixture) throws -> Void
        let mend: @Sendable (InboundFixture) throws -> Void
        var testDescription: String { name }
    }

    static let trustFaults: [Fault] = [
        Fault(name: "a pin that is a private key", status: 78,
              apply: { f in try FileManager.default.copyItem(atPath: f.keys + "/partner/signing.key", toPath: f.keys + "/partner/pin.crt")
                  try f.editConfig("signing: [keys/partner/signing.crt]", "signing: [keys/partner/signing.crt, keys/partner/pin.crt]") },
              mend: { f in try f.editConfig("signing: [keys/partner/signing.crt, keys/partner/pin.crt]", "signing: [keys/partner/signing.crt]") }),
        Fault(name: "a CA file that is not a certificate", status: 78,
              apply: { f in try "not a certificate\n".write(toFile: f.keys + "/ca/broken.crt", atomically: true, encoding: .utf8)
                  try f.editConfig("ca: keys/ca/partner-ca.crt", "ca: keys/ca/broken.crt") },
              mend: { f in try f.editConfig("ca: keys/ca/broken.crt", "ca: keys/ca/partner-ca.crt") }),
        Fault(name: "a garbage CRL", status: 78,
              apply: { f in try "-----BEGIN X509 CRL-----\nZ2FyYmFnZQ==\n-----END X509 CRL-----\n".write(toFile: f.keys + "/ca/partner.crl", atomically: true, encoding: .utf8)
                  try f.editConfig("ca: keys/ca/partner-ca.crt", "ca: keys/ca/partner-ca.crt\n      crl: keys/ca/partner.crl") },
              mend: { f in try f.editConfig("\n      crl: keys/ca/partner.crl", "") }),
    ]

    static let permissionFaults: [Fault] = [
        Fault(name: "our signing key readable by the group (0640)", status: 77,
              apply: { f in chmod(f.keys + "/company/signing.key", 0o640) }, mend: { f in chmod(f.keys + "/company/signing.key", 0o600) }),
        Fault(name: "our decryption key readable by others (0644)", status: 77,
              apply: { f in chmod(f.keys + "/company/encryption.key", 0o644) }, mend: { f in chmod(f.keys + "/company/encryption.key", 0o600) }),
        Fault(name: "a passphrase file readable by the group (0640)", status: 77,
              apply: { f in try "unused\n".write(toFile: f.keys + "/company/signing.pass", atomically: true, encoding: .utf8)
                  chmod(f.keys + "/company/signing.pass", 0o640)
                  try f.editConfig("key: keys/company/signing.key\n", "key: keys/company/signing.key\n    passphrase_file: keys/company/signing.pass\n") },
              mend: { f in try f.editConfig("\n    passphrase_file: keys/company/signing.pass", "") }),
        Fault(name: "a world-writable pinned partner certificate (0666)", status: 77,
              apply: { f in chmod(f.keys + "/partner/signing.crt", 0o666) }, mend: { f in chmod(f.keys + "/partner/signing.crt", 0o644) }),
        Fault(name: "a world-writable partner CA (0666)", status: 77,
              apply: { f in chmod(f.keys + "/ca/partner-ca.crt", 0o666) }, mend: { f in chmod(f.keys + "/ca/partner-ca.crt", 0o644) }),
    ]

    static let folderFaults: [Fault] = [
        Fault(name: "a mistyped erp.updates.folder", status: 78,
              apply: { f in try f.editConfig("folder: erp/import", "folder: erp/imprt") },
              mend: { f in try f.editConfig("folder: erp/imprt", "folder: erp/import") }),
        Fault(name: "the ERP import folder replaced by a file", status: 78,
              apply: { f in try FileManager.default.removeItem(atPath: f.updatesFolder)
                  try "not a folder\n".write(toFile: f.updatesFolder, atomically: true, encoding: .utf8) },
              mend: { f in try FileManager.default.removeItem(atPath: f.updatesFolder)
                  try FileManager.default.createDirectory(atPath: f.updatesFolder, withIntermediateDirectories: true) }),
    ]

    func inbound(_ f: InboundFixture) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath])
    }

    func check(_ fault: Fault) throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        _ = try f.drop(sequence: 1, previous: nil, [Events.payment("P1", f.accountRef(1), "10.00", on: f.today.adding(days: -1))])
        try fault.apply(f)
        let failed = try inbound(f)
        #expect(failed.status == fault.status, "\(fault.name): \(failed.stderr)")
        #expect(f.files(f.outbox) == [f.name(1)], "the partner's file stays where it was")
        #expect(f.files(f.work + "/quarantine").isEmpty, "nothing is quarantined")
        #expect(f.files(f.inbox).isEmpty, "no receipt")
        #expect(f.files(f.updatesFolder).isEmpty, "nothing exported")
        let claimed = try f.store().read { db in try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM inbound_file") }
        #expect(claimed == 0, "nothing claimed")
        try fault.mend(f)
        let mended = try inbound(f)
        #expect(mended.status == 0, "\(fault.name), mended: \(mended.stderr)")
        #expect(mended.stdout.contains("1 file(s) processed, 0 quarantined"), "\(mended.stdout)")
        #expect(f.files(f.outbox).isEmpty)
    }

    @Test("a broken trust file stops the run with 78 before anything is fetched",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests"), arguments: trustFaults)
    func brokenTrust(_ fault: Fault) throws {
        try check(fault)
    }

    @Test("loose key, passphrase and certificate permissions stop the run with 77 before anything is fetched",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests"), arguments: permissionFaults)
    func loosePermissions(_ fault: Fault) throws {
        try check(fault)
    }

    @Test("a missing ERP import folder stops the run with 78 before anything is fetched, and is not created",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests"), arguments: folderFaults)
    func missingImportFolder(_ fault: Fault) throws {
        try check(fault)
    }

    @Test("loose key and certificate permissions make keys check and outbound run exit 77",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests"), arguments: permissionFaults)
    func otherCommands(_ fault: Fault) throws {
        let f = try InboundFixture()
        _ = try f.context()  // the state database, as `arlink init` creates it
        try fault.apply(f)
        let keys = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["keys", "check", "--config", f.configPath])
        #expect(keys.status == 77, "\(fault.name): \(keys.stdout) \(keys.stderr)")
        #expect(keys.stdout.contains("[FAIL]"))
        // The extracts do not exist: the keys must be refused before they are looked for (66).
        let outbound = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["outbound", "run", "--config", f.configPath])
        #expect(outbound.status == 77, "\(fault.name): \(outbound.stderr)")
    }
}
