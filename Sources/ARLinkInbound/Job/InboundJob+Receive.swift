import ARLinkJobs
import ARLinkCore
import ARLinkConfig
import ARLinkEnvelope
import ARLinkFormats
import ARLinkStore
import ARLinkAudit
import ARLinkSystem
import ARLinkTransport
import Foundation

/// What happened to one fetched file.
enum FileOutcome {
    case applied
    case quarantined
    /// Kept for later: the local copy's path and its SHA-256.
    case held(String, String)
    case duplicate
    case skipped
}

extension InboundJob {
    /// Fetches one outbox file, claims it by the SHA-256 of its bytes and processes it.
    func receive(_ remote: RemoteFile, partner: PartnerSettings, identity: DecryptionIdentity, transport: any Transport,
                 folders: InboundFolders, report: inout PartnerInboundReport) throws -> FileOutcome {
        let pid = partner.id.rawValue
        let local = folders.incoming + "/" + remote.name
        // The placed accounts are read on another thread while the file is fetched and opened
        // (nothing writes the ledger until the pass).
        let store = context.store
        let limit = positionLimits.preload
        let delay = accountsReadDelay
        let accounts = BackgroundTask(name: "arlink-accounts") { () throws -> PlacedAccounts? in
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            return try store.read { db in PositionCache.readAll(db, partner: pid, limit: limit) }
        }
        do {
            try transport.fetch(remote, to: local)
        } catch let error as TransportError where error.code == .sizeMismatch || error.code == .changed {
            report.retry.append(.init(fileName: remote.name, code: error.codeName, message: error.message))
            reporter.warning("partner \(pid): \(remote.name) not fetched: \(error.message)", ["partner": pid])
            return .skipped
        } catch let error as TransportError where error.code == .invalidName {
            report.skipped.append(.init(fileName: remote.name, code: error.codeName, message: error.message))
            reporter.warning("partner \(pid): \(remote.name) not fetched: \(error.message)", ["partner": pid])
            return .skipped
        }
        StepTrace.mark("file fetched")
        afterFetch?(remote.name)
        // The copy is made durable on another thread while it is opened, and before anything
        // about it is recorded.
        let durable = BackgroundTask(name: "arlink-fetch-sync") { try FetchedFile.makeDurable(local) }
        // Opened before it is claimed: the envelope hashes the file on the second core while it
        // decrypts, and nothing is recorded until the claim check below has passed (a replay
        // costs an opening, and its plaintext is removed). The plaintext is not fsynced: it is
        // removed after the pass, and a stale one is removed and opened again after a crash.
        let plain = plainPath(remote, folders: folders)
        defer { unlink(plain) }
        let context = context
        let opened = Result { () throws(EnvelopeError) -> OpenResult in
            try context.open(from: partner, input: local, output: plain, identity: identity, durable: false)
        }
        if case .failure(let error) = opened, error.isLocalFault {
            // Our fault (a trust file or key changed under the run, local I/O): the partner's
            // file stays in its outbox and is fetched again by the next run.
            try? durable.wait()
            unlink(local)
            throw error
        }
        let sha: String
        if case .success(let result) = opened { sha = result.sealedSHA256 } else { sha = try FileDigest.sha256(path: local) }
        try durable.wait()
        StepTrace.mark("file opened and hashed")
        if let known = try context.store.read({ db in try InboundLedger.file(db, partner: pid, sha256: sha) }) {
            guard known.finished else { return .skipped }
            if known.state == .quarantined {
                // Only a replay of applied bytes is dropped: a quarantined file may come again.
                try recordReceivedAgain(remote, sha: sha, earlier: known, partner: partner)
            } else {
                try recordDuplicate(remote, local: local, sha: sha, fileID: known.fileID, partner: partner, transport: transport,
                                    reason: "the same bytes were already received as \(known.fileName) (\(known.state.rawValue))", report: &report)
                return .duplicate
            }
        }
        return try process(remote, local: local, sha: sha, opened: opened, accounts: accounts, partner: partner, identity: identity,
                           transport: transport, folders: folders, report: &report)
    }

    /// Where a fetched file's plaintext goes while it is processed.
    func plainPath(_ remote: RemoteFile, folders: InboundFolders) -> String { folders.plain + "/" + remote.name + ".plain" }

    /// Records that bytes quarantined earlier came again and are processed afresh.
    func recordReceivedAgain(_ remote: RemoteFile, sha: String, earlier: InboundFileRecord, partner: PartnerSettings) throws {
        let pid = partner.id.rawValue
        try context.store.write { db in
            try context.audit.append([AuditEvent(action: "file.received", outcome: "received_again", partner: pid, direction: "inbound",
                                                 fileID: earlier.fileID, fileName: remote.name, sealedSHA256: sha,
                                                 detail: ["earlier_state": earlier.state.rawValue, "earlier_error_code": earlier.errorCode ?? "",
                                                          "earlier_received_at": earlier.receivedAt])], in: db)
        }
        reporter.notice("partner \(pid): \(remote.name) was quarantined on \(earlier.receivedAt) (\(earlier.errorCode ?? "no code")) and came again; processing it afresh",
                        ["partner": pid, "file": remote.name])
    }

    /// Records a replay as a no-op and moves the remote copy away.
    func recordDuplicate(_ remote: RemoteFile, local: String, sha: String, fileID: String?, partner: PartnerSettings,
                         transport: any Transport, reason: String, report: inout PartnerInboundReport) throws {
        let pid = partner.id.rawValue
        try context.store.write { db in
            try context.audit.append([AuditEvent(action: "file.received", outcome: "duplicate", partner: pid, direction: "inbound",
                                                 fileID: fileID, fileName: remote.name, sealedSHA256: sha)], in: db)
        }
        try transport.finish(remote, disposition: .moveToProcessed)
        unlink(local)
        report.duplicates.append(remote.name)
        reporter.notice("partner \(pid): \(remote.name) is a replay; \(reason); nothing applied", ["partner": pid, "file": remote.name])
    }

    /// Opens, checks and applies one fetched file (or quarantines, holds or drops it as a duplicate).
    /// - Parameter alreadyOpened: the outcome of opening it into ``plainPath(_:folders:)``, when the caller did.
    func process(_ remote: RemoteFile, local: String, sha: String, opened alreadyOpened: Result<OpenResult, EnvelopeError>? = nil,
                 accounts: BackgroundTask<PlacedAccounts?>? = nil, partner: PartnerSettings, identity: DecryptionIdentity, transport: any Transport,
                 folders: InboundFolders, report: inout PartnerInboundReport) throws -> FileOutcome {
        let pid = partner.id.rawValue
        let plain = plainPath(remote, folders: folders)
        defer { unlink(plain) }
        let opened: OpenResult
        do throws(EnvelopeError) {
            if let alreadyOpened {
                opened = try alreadyOpened.get()
            } else {
                opened = try context.open(from: partner, input: local, output: plain, identity: identity, knownSealedSHA256: sha, durable: false)
            }
        } catch {
            if error.isLocalFault { throw error }
            return try quarantine(remote, local: local, sha: sha, failure: error, header: nil, verified: false, partner: partner, folders: folders,
                                  report: &report)
        }
        StepTrace.mark("envelope opened")
        for warning in opened.warnings { reporter.warning("partner \(pid): \(remote.name): \(warning)", ["partner": pid]) }
        if let legacy = opened.legacyKeyTransport {
            try context.store.write { db in
                try context.audit.append([AuditEvent(action: "envelope.legacy_key_transport", outcome: "allowed", partner: pid, direction: "inbound",
                                                     fileName: remote.name, sealedSHA256: sha, detail: ["key_transport": legacy.rawValue])], in: db)
            }
        }
        if let layout = partner.layouts.feedback,
           let failure = try convertLayoutFeedback(remote, local: local, plain: plain, layout: layout, partner: partner, identity: identity) {
            return try quarantine(remote, local: local, sha: sha, failure: failure, header: nil, partner: partner, folders: folders, report: &report)
        }
        let reader: FeedbackReader
        do {
            reader = try FeedbackReader(path: plain, displayName: remote.name, format: FeedbackFormat.of(fileName: remote.name))
        } catch let error as FeedbackError where error.code == .unreadable {
            throw InboundError(.io, "\(remote.name) was not applied: our opened copy cannot be read: \(error.message); the file stays in the partner's outbox and the next run applies it")
        } catch let error as FeedbackError {
            return try quarantine(remote, local: local, sha: sha, failure: error, header: nil, partner: partner, folders: folders, report: &report)
        }
        let header = reader.header
        if let problem = checkHeader(header, partner: partner, identity: identity) {
            return try quarantine(remote, local: local, sha: sha, failure: problem, header: header, partner: partner, folders: folders, report: &report)
        }
        let (last, already) = try context.store.read { db in
            (try InboundLedger.lastApplied(db, partner: pid), try InboundLedger.appliedFile(db, partner: pid, fileID: header.fileID))
        }
        if let already {
            try context.store.write { db in
                try InboundLedger.insert(db, InboundFileRecord(
                    partner: pid, sha256: sha, fileName: remote.name, fileID: header.fileID, sequence: header.sequence, state: .duplicate,
                    plaintextSHA256: opened.plaintextSHA256, errorCode: nil, eventsAccepted: 0, eventsRejected: 0, receiptName: nil,
                    receiptFileID: nil, receiptSequence: nil, receivedAt: Timestamp.iso8601(context.now()), finished: true))
            }
            try recordDuplicate(remote, local: local, sha: sha, fileID: header.fileID, partner: partner, transport: transport,
                                reason: "file id \(header.fileID) was already applied from \(already.fileName)", report: &report)
            return .duplicate
        }
        let expected = (last?.sequence ?? 0) + 1
        if header.sequence > expected {
            report.held.append(.init(fileName: remote.name, code: "inbound.sequence_gap",
                                     message: "sequence \(header.sequence) arrived but \(expected) is the next expected; the file stays in the outbox until \(expected) arrives"))
            return .held(local, sha)
        }
        if header.sequence < expected {
            let failure = InboundError(.sequenceReused, "\(remote.name): sequence \(header.sequence) was already applied (next expected \(expected)) but file id \(header.fileID) is new; a reordered or substituted file")
            return try quarantine(remote, local: local, sha: sha, failure: failure, header: header, partner: partner, folders: folders, report: &report)
        }
        if let last, let previous = last.plaintextSHA256, header.previousFileSHA256 != previous {
            let failure = InboundError(.chainBroken, "\(remote.name): previous_file_sha256 does not match the previous applied file \(last.fileName); a file was dropped or substituted")
            return try quarantine(remote, local: local, sha: sha, failure: failure, header: header, partner: partner, folders: folders, report: &report)
        }
        // The partner as witness: the checkpoint it echoes must be ours and in our log.
        if let note = header.auditCheckpoint, case .notOurs(let why) = try context.audit.checkWitness(note, partner: pid) {
            let failure = InboundError(.badWitness, "\(remote.name): the header's audit_checkpoint is not one of our signed checkpoints: \(why)")
            return try quarantine(remote, local: local, sha: sha, failure: failure, header: header, partner: partner, folders: folders, report: &report)
        }
        do {
            let reopen = { try FeedbackReader(path: plain, displayName: remote.name, format: FeedbackFormat.of(fileName: remote.name)) }
            try apply(reader, reopen: reopen, remote: remote, sha: sha, plaintextSHA256: opened.plaintextSHA256,
                      signerSHA256: opened.signerFingerprint, partner: partner, accounts: accounts, report: &report)
        } catch let error as FeedbackError where error.code == .writeFailed || error.code == .unreadable {
            // Ours (a full or failing disk, an ERP import folder gone, our plaintext copy
            // unreadable): the transaction was undone, nothing is recorded against the file,
            // and it stays in the outbox.
            throw InboundError(.io, "\(remote.name) was not applied: \(error.message); nothing was recorded, the file stays in the partner's outbox and the next run applies it")
        } catch let error as FeedbackError {
            return try quarantine(remote, local: local, sha: sha, failure: error, header: header, partner: partner, folders: folders, report: &report)
        } catch let error as CoreError {
            return try quarantine(remote, local: local, sha: sha, failure: error, header: header, partner: partner, folders: folders, report: &report)
        }
        report.processed.append(remote.name)
        return .applied
    }

    /// The signed header must name this partner as sender, us as recipient, the inbound direction, our encryption key,
    /// and a creation time that is not in the future (five minutes of clock skew allowed).
    func checkHeader(_ header: FileHeader, partner: PartnerSettings, identity: DecryptionIdentity) -> InboundError? {
        let pid = partner.id.rawValue
        let us = config.company.id.rawValue
        if header.sender != pid {
            return InboundError(.wrongSender, "the signed header names sender \(Excerpt.quoted(header.sender)) but the file came from partner \(pid)'s outbox")
        }
        if header.recipient != us {
            return InboundError(.wrongRecipient, "the signed header names recipient \(Excerpt.quoted(header.recipient)), not us (\(us)); the file was meant for someone else and forwarded")
        }
        if header.direction != "inbound" {
            return InboundError(.wrongDirection, "the signed header's direction is \(Excerpt.quoted(header.direction)), not \"inbound\": it is not feedback for us")
        }
        let ours = (try? context.ourKeySHA256(for: partner, identity: identity)) ?? identity.sha256Fingerprint
        let accepted = (try? context.acceptedKeySHA256s(for: partner, identity: identity)) ?? [ours]
        if !accepted.contains(header.recipientKeySHA256) {
            return InboundError(.wrongRecipientKey, "the signed header names encryption key sha256 \(header.recipientKeySHA256.prefix(16))…, not ours (\(ours.prefix(16))…)")
        }
        if let created = Timestamps.parse(header.createdAt), created > Int64(context.now().timeIntervalSince1970) + 300 {
            return InboundError(.createdInFuture, "the signed header's created_at \(header.createdAt) lies in the future")
        }
        return nil
    }
}
