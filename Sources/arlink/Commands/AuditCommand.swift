import ArgumentParser
import ARLinkAudit
import ARLinkConfig
import ARLinkCore
import ARLinkEnvelope
import ARLinkJobs
import ARLinkStore
import Foundation

/// `arlink audit`: verify the tamper-evident audit log, prove a transfer, check a proof,
/// and report a period for a compliance officer.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the audit log, prove a transfer, check a proof, report a period.",
        subcommands: [Verify.self, Prove.self, CheckProof.self, Report.self, Export.self, CheckExport.self, Prune.self, Recover.self]
    )

    /// The audit settings a command needs, from the configuration file.
    struct Setup {
        let config: ArlinkConfiguration
        let key: AuditVerifierKey

        init(configPath: String) throws {
            config = try ArlinkConfiguration.load(path: configPath)
            key = try AuditVerifierKey(publicKeyPath: config.audit.publicKeyPath, keyName: config.audit.origin)
        }

        /// Opens the state database, refusing to create one where none exists.
        func store() throws -> StateStore {
            try config.state.requireSQLite(for: "the audit command")
            let path = config.stateDatabasePath
            guard FileManager.default.fileExists(atPath: path) else {
                throw AuditError(.notFound, "the state database \(path) does not exist (nothing has run yet, or state.database in \(config.sourcePath) is wrong)")
            }
            return try StateStore(path: path)
        }
    }

    /// Writes `text` to `path` atomically (temporary file, then rename), or to stdout.
    static func emit(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let temporary = path + ".tmp-\(getpid())"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw AuditError(.checkpointFile, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func readFile(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError(.notFound, "\(what) \(path) does not exist or cannot be read")
        }
        return [UInt8](data)
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the Merkle tree, check every checkpoint and the exported checkpoint file.",
            discussion: "Exits 0 when the log is intact, 65 naming the first entry or checkpoint that does not match and how.")

        @Option(help: "The arlink configuration file (YAML).") var config: String
        @Option(help: "The exported checkpoint file to compare with (default: audit.checkpoint_file of the configuration).")
        var checkpoints: String?
        @Option(help: "A folder of checkpoint notes partners hold (files ending in .note or .txt, one note or a whole checkpoint file each, searched recursively); each must be ours and match the log.")
        var witness: String?

        func run() throws {
            try Console.run {
                let setup = try Setup(configPath: config)
                let file = checkpoints ?? setup.config.audit.checkpointFile
                let notes = try witness.map(Self.witnessNotes) ?? []
                let result = try AuditVerifier.verify(store: try setup.store(), key: setup.key, origin: setup.config.audit.origin, checkpointFile: file,
                                                      witnessNotes: notes)
                var lines = ["audit log intact: \(result.entryCount) entries, root \(result.rootHash.base64)"]
                lines.append("checkpoints: \(result.checkpointCount) in the database" + (result.fileCheckpointCount.map { ", \($0) in \(file)" } ?? "")
                             + ", all signed by \(setup.key.keyName) (key id \(setup.key.keyID.map { String(format: "%02x", $0) }.joined())); \(result.consistencyProofsChecked) consistency proofs checked")
                if result.prunedEntryCount > 0 {
                    lines.append("pruned: \(result.prunedEntryCount) entries past retention (their leaf hashes stand for them)")
                }
                if result.witnessCheckpointCount > 0 {
                    lines.append("witnessed: \(result.witnessCheckpointCount) checkpoint(s) partners hold match the log")
                }
                for warning in result.warnings { lines.append("note: \(warning)") }
                if let latest = result.latestCheckpoint {
                    lines.append("newest checkpoint:")
                    lines.append(latest.noteText)
                }
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an inclusion proof (JSON) for the entries of one transfer against the newest checkpoint.")

        @Option(help: "The arlink configuration file (YAML).") var config: String
        @Option(name: .customLong("file-id"), help: "The transfer's file id.") var fileID: String
        @Option(name: .customLong("tree-size"), help: "Prove against the stored checkpoint of this tree size (default: the newest).")
        var treeSize: UInt64?
        @Option(help: "Write the proof here instead of standard output.") var output: String?

        func run() throws {
            try Console.run {
                let setup = try Setup(configPath: config)
                let proof = try AuditProver.prove(store: try setup.store(), fileID: fileID, treeSize: treeSize)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try emit(String(decoding: try encoder.encode(proof), as: UTF8.self) + "\n", to: output)
            }
        }
    }

    struct CheckProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-proof",
            abstract: "Check an inclusion proof with only a checkpoint and the audit public key (no database).")

        @Option(help: "The proof made by `arlink audit prove`.") var proof: String
        @Option(help: "A signed checkpoint of the proof's tree size: one note, or the exported checkpoint file.") var checkpoint: String
        @Option(help: "The audit public key (PEM).") var key: String
        @Option(help: "The log's origin (audit.origin), which is also the name of its key; the name written in the note is not trusted.") var origin: String

        func run() throws {
            try Console.run {
                let proofBytes = try readFile(proof, what: "proof file")
                let checkpointText = String(decoding: try readFile(checkpoint, what: "checkpoint file"), as: UTF8.self)
                let publicKey: Ed25519PublicKey
                do { publicKey = try Ed25519PublicKey(pemFile: key) } catch let error as Ed25519Error {
                    throw AuditError(.key, "audit public key: \(error.message)", underlying: error)
                }
                let result = try AuditProofChecker.check(proofJSON: proofBytes, checkpointText: checkpointText, publicKey: publicKey, origin: origin)
                print("proof valid: \(result.entries.count) entries for file \(result.fileID) are in the audit log \(result.origin) at tree size \(result.treeSize) (checkpoint signed by \(result.keyName))")
                for entry in result.entries {
                    print("  entry \(entry.sequence): \(entry.time) \(entry.event.action) \(entry.event.outcome)" + (entry.event.recordCount.map { " records=\($0)" } ?? ""))
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a verifiable export of a period for an auditor: entries with inclusion proofs, checkpoints, consistency proofs, a README.")

        @Option(help: "The arlink configuration file (YAML).") var config: String
        @Option(help: "First day, YYYY-MM-DD (UTC).") var from: String
        @Option(help: "Last day, YYYY-MM-DD (UTC), inclusive.") var to: String
        @Option(help: "A new folder for the export.") var out: String

        func run() throws {
            try Console.run {
                let setup = try Setup(configPath: config)
                let export = try AuditExport.write(store: try setup.store(), from: from, to: to, out: out)
                print("exported \(export.entries.count) entries of \(from) to \(to) with inclusion proofs against tree size \(export.treeSize), \(export.consistency.count + 1) checkpoints, into \(out)"
                      + (export.uncoveredEntries > 0 ? " (\(export.uncoveredEntries) later entries are not yet covered by a checkpoint)" : ""))
                print("check it with: arlink audit check-export \(out) --key AUDIT.pub --origin \(export.origin)")
            }
        }
    }

    struct CheckExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-export",
            abstract: "Check an audit export with only the audit public key and the log's origin (no database).")

        @Argument(help: "The export folder.") var folder: String
        @Option(help: "The audit public key (PEM).") var key: String
        @Option(help: "The log's origin (audit.origin), which is also the name of its key.") var origin: String

        func run() throws {
            try Console.run {
                let publicKey: Ed25519PublicKey
                do { publicKey = try Ed25519PublicKey(pemFile: key) } catch let error as Ed25519Error {
                    throw AuditError(.key, "audit public key: \(error.message)", underlying: error)
                }
                let result = try AuditExportChecker.check(folder: folder, publicKey: publicKey, origin: origin)
                print("export valid: \(result.entries) entries in the log \(result.origin) at tree size \(result.treeSize); \(result.checkpoints) signed checkpoints, \(result.consistencyProofs) consistency proofs checked")
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the content of audit entries older than audit.retention_days, keeping the log verifiable.",
            discussion: """
                Entries recorded before the retention period (audit.retention_days, default 1095 days) and \
                covered by a signed checkpoint keep only their index, leaf hash and head (seq, prev); their \
                content is removed. The tree, the hash chain and every checkpoint still verify. The pruning \
                is recorded (audit.pruned) and signed. Run it from the same schedule as the jobs.
                """)

        @OptionGroup var common: CommonOptions
        @Flag(help: "Say what would be pruned and change nothing.") var dryRun = false

        func run() throws {
            try Console.run(common.logFormat) {
                let config = try ArlinkConfiguration.load(path: common.config)
                let context = try RunContext(config: config, reporter: ConsoleReporter(format: common.logFormat))
                let result = try context.audit.prune(retentionDays: config.audit.retentionDays, now: context.now(), dryRun: dryRun)
                let verb = dryRun ? "would prune" : "pruned"
                print("\(verb) \(result.pruned) entries recorded before \(result.cutoffDay) (retention \(config.audit.retentionDays) days); every entry below \(result.belowLeaf) is pruned")
            }
        }
    }

    struct Recover: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let jobs run again after the audit log stopped extending its newest checkpoint, recording what happened.",
            discussion: """
                Jobs stop (exit 77) when the audit log has entries but no checkpoint, the checkpoint file \
                lost checkpoints or is out of order, the database is older than a checkpoint, or entries \
                no longer match what was signed. Find out why first (`arlink audit verify`, the write-once \
                copy of the checkpoints). This command then records an audit.recovered entry with the \
                finding, moves the checkpoint file aside (kept, its SHA-256 in the entry), writes a new one \
                from the database and signs a checkpoint over the log as it is now. It does not make a \
                rewritten history verify: `audit verify` still names what no longer matches. \
                Exits 0 with "nothing to recover" when the log is anchored.
                """)

        @OptionGroup var common: CommonOptions
        @Option(help: "A ticket or case id to record with the recovery (printable ASCII, no spaces).") var reference: String?

        func run() throws {
            try Console.run(common.logFormat) {
                let config = try ArlinkConfiguration.load(path: common.config)
                let context = try RunContext(config: config, reporter: ConsoleReporter(format: common.logFormat), checkAnchor: false)
                let recovery = try context.audit.recover(reference: reference)
                guard let finding = recovery.finding else {
                    print("nothing to recover: the audit log extends its newest signed checkpoint")
                    return
                }
                print("recovered: \(finding.rawValue): \(recovery.message ?? "")")
                if let superseded = recovery.supersededFile { print("  previous checkpoint file kept as \(superseded)") }
                if let checkpoint = recovery.checkpoint { print("  new checkpoint: tree size \(checkpoint.treeSize), root \(checkpoint.rootHash.base64)") }
            }
        }
    }

    struct Report: ParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, html }

        static let configuration = CommandConfiguration(
            abstract: "List transfers, refusals, exceptions and the log's status for a period (UTC days, inclusive).")

        @Option(help: "The arlink configuration file (YAML).") var config: String
        @Option(help: "First day, YYYY-MM-DD (UTC).") var from: String
        @Option(help: "Last day, YYYY-MM-DD (UTC), inclusive.") var to: String
        @Option(help: "csv, json or html.") var format: Format = .html
        @Option(help: "Write the report here instead of standard output.") var output: String?
        @Option(help: "Check the log against this copy of the checkpoint file (the write-once copy) instead of the configured one.") var checkpoints: String?

        func run() throws {
            try Console.run {
                let setup = try Setup(configPath: config)
                let store = try setup.store()
                let verification: Result<AuditVerification, AuditError>
                do {
                    verification = .success(try AuditVerifier.verify(store: store, key: setup.key, origin: setup.config.audit.origin,
                                                                     checkpointFile: checkpoints ?? setup.config.audit.checkpointFile))
                } catch let error as AuditError {
                    verification = .failure(error)
                }
                let report = try AuditReport.build(store: store, from: from, to: to, origin: setup.config.audit.origin, verification: verification)
                switch format {
                case .csv: try emit(report.csv(), to: output)
                case .json: try emit(try report.json(), to: output)
                case .html: try emit(report.html(), to: output)
                }
                // The report is written either way; its exit status says whether it can be relied on.
                if case .failure(let error) = verification { throw error }
            }
        }
    }
}

extension AuditCommand.Verify {
    /// Every note in the `.note` and `.txt` files under `folder`, named by file and position.
    static func witnessNotes(_ folder: String) throws -> [(source: String, note: String)] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw AuditError(.notFound, "the witness folder \(folder) does not exist or cannot be read")
        }
        var notes: [(source: String, note: String)] = []
        for case let path as String in walker where path.hasSuffix(".note") || path.hasSuffix(".txt") {
            let text = String(decoding: try AuditCommand.readFile(folder + "/" + path, what: "witness file"), as: UTF8.self)
            for (index, note) in SignedNote.splitNotes(text).enumerated() {
                notes.append(("checkpoint #\(index + 1) of witness file \(path)", note))
            }
        }
        return notes.sorted { $0.source < $1.source }
    }
}
