public import ARLinkCore
public import ARLinkStore
public import ARLinkFormats
import Foundation

/// Plays the partner: writes a realistic plaintext `feedback.v1` file for the accounts
/// placed with it (read from the state database). For the demo, tests and the benchmark;
/// the caller seals it (the demo with the `openssl` CLI) and drops it in the outbox.
public enum FeedbackSimulator {
    /// The header of the partner's next feedback file: the next sequence after the last
    /// applied one, chained to its plaintext SHA-256.
    /// - Parameters:
    ///   - ourKeySHA256: SHA-256 of our encryption certificate (``DecryptionIdentity/sha256Fingerprint``).
    ///   - auditCheckpoint: the newest audit checkpoint the partner received from us (in a
    ///     portfolio header), echoed as a witness.
    public static func nextHeader(store: StateStore, partner: String, company: String, ourKeySHA256: String, createdAt: String,
                                  auditCheckpoint: String? = nil) throws -> FileHeader {
        let last = try store.read { db in try InboundLedger.lastApplied(db, partner: partner) }
        let sequence = (last?.sequence ?? 0) + 1
        return FileHeader(schema: "feedback.v1", fileID: UUID().uuidString.lowercased(), kind: "feedback", direction: "inbound",
                          batchID: "\(partner)-feedback-\(sequence)", sequence: sequence, sender: partner, recipient: company,
                          recipientKeySHA256: ourKeySHA256, createdAt: createdAt, previousFileSHA256: last?.plaintextSHA256,
                          auditCheckpoint: auditCheckpoint)
    }

    /// Writes a feedback file for `partner`'s active placements.
    ///
    /// Without `eventCount`: one of each kind of event over the placed accounts (payments,
    /// a partial payment, a reversal, promises, disputes, a status closure, a contact update,
    /// risk scores, and an acknowledgement of the newest batch). With `eventCount`: that many
    /// events cycling over the accounts (the benchmark).
    /// - Parameter format: JSON Lines (default) or the CSV flavour.
    /// - Returns: the file's control totals.
    @discardableResult
    public static func write(to path: String, header: FileHeader, store: StateStore, partner: String, today: LocalDate, seed: UInt64,
                             eventCount: Int? = nil, format: FeedbackFormat = .jsonl) throws -> ControlTotals {
        let invoices = try store.read { db in try InboundLedger.placedInvoices(db, partner: partner) }
        let batch = try store.read { db in try PlacementLedger.lastBatch(db, partner: partner) }
        var accounts: [(String, [InvoicePosition])] = []
        for (ref, invoice) in invoices {
            if accounts.last?.0 == ref { accounts[accounts.count - 1].1.append(invoice) } else { accounts.append((ref, [invoice])) }
        }
        var random = SimulatorRandom(seed: seed)
        let writer = try FeedbackWriter(path: path, header: header, format: format)
        let prefix = "\(header.sequence)-"
        if let eventCount {
            try writeMany(eventCount, accounts: accounts, prefix: prefix, today: today, random: &random, writer: writer)
        } else {
            try writeStory(accounts: accounts, batch: batch, prefix: prefix, today: today, random: &random, writer: writer)
        }
        return try writer.finish()
    }

    static func writeStory(accounts: [(String, [InvoicePosition])], batch: OutboundBatch?, prefix: String, today: LocalDate,
                           random: inout SimulatorRandom, writer: FeedbackWriter) throws {
        var n = 0
        func id(_ kind: String) -> String { n += 1; return "\(kind)-\(prefix)\(n)" }
        if let batch {
            var ack = FeedbackEvent(type: .acknowledgement, eventID: id("ACK"), accountRef: "")
            ack.acknowledgedBatchID = batch.batchID
            ack.acknowledgedTotals = ControlTotals(counts: batch.recordCounts, totals: batch.totals)
            ack.occurredOn = today
            try writer.write(ack)
        }
        let segments = ["low", "medium", "high"]
        for (index, (ref, invoices)) in accounts.enumerated() {
            guard let first = invoices.first else { continue }
            let currency = first.placed.currency
            let open = invoices.reduce(Int64(0)) { $0 + $1.placed.minorUnits }
            var risk = FeedbackEvent(type: .risk, eventID: id("RSK"), accountRef: ref)
            risk.riskScore = Int(random.next() % 1000)
            risk.riskSegment = segments[Int(random.next() % 3)]
            risk.occurredOn = today
            try writer.write(risk)
            switch index % 7 {
            case 0:  // paid in full
                var pay = FeedbackEvent(type: .payment, eventID: id("PAY"), accountRef: ref)
                pay.amount = Money(minorUnits: open, currency: currency)
                pay.occurredOn = today.adding(days: -1)
                try writer.write(pay)
            case 1:  // partial payment on the newest invoice, then a promise for the rest
                var pay = FeedbackEvent(type: .payment, eventID: id("PAY"), accountRef: ref)
                pay.amount = Money(minorUnits: max(1, open / 3), currency: currency)
                pay.invoiceNumber = invoices.last?.invoiceNumber
                pay.occurredOn = today.adding(days: -2)
                try writer.write(pay)
                var promise = FeedbackEvent(type: .promise, eventID: id("PRM"), accountRef: ref)
                promise.amount = Money(minorUnits: max(1, open - open / 3), currency: currency)
                promise.promisedDate = today.adding(days: 14)
                promise.instalments = 2
                promise.occurredOn = today
                try writer.write(promise)
            case 2:  // a payment that bounces
                var pay = FeedbackEvent(type: .payment, eventID: id("PAY"), accountRef: ref)
                pay.amount = Money(minorUnits: max(1, open / 2), currency: currency)
                pay.occurredOn = today.adding(days: -5)
                try writer.write(pay)
                var reversal = FeedbackEvent(type: .paymentReversal, eventID: id("REV"), accountRef: ref)
                reversal.amount = pay.amount
                reversal.reversesEventID = pay.eventID
                reversal.occurredOn = today.adding(days: -1)
                try writer.write(reversal)
            case 3:  // dispute on the oldest invoice
                var dispute = FeedbackEvent(type: .dispute, eventID: id("DSP"), accountRef: ref)
                dispute.invoiceNumber = first.invoiceNumber
                dispute.disputeReason = DisputeReason.quality.rawValue
                dispute.amount = first.placed
                dispute.occurredOn = today
                try writer.write(dispute)
            case 4:  // closed by the partner
                var status = FeedbackEvent(type: .status, eventID: id("STS"), accountRef: ref)
                status.status = .closed
                status.occurredOn = today
                try writer.write(status)
            case 5:  // new contact data
                var contact = FeedbackEvent(type: .contactUpdate, eventID: id("CNT"), accountRef: ref)
                contact.contact = ["phone": "+49 30 5550\(100 + index % 900)", "city": "Berlin"]
                contact.occurredOn = today
                try writer.write(contact)
            default:  // a promise and a skip trace
                var promise = FeedbackEvent(type: .promise, eventID: id("PRM"), accountRef: ref)
                promise.amount = Money(minorUnits: open, currency: currency)
                promise.promisedDate = today.adding(days: 30)
                promise.occurredOn = today
                try writer.write(promise)
                var status = FeedbackEvent(type: .status, eventID: id("STS"), accountRef: ref)
                status.status = .skipTrace
                status.occurredOn = today
                try writer.write(status)
            }
        }
    }

    static func writeMany(_ count: Int, accounts: [(String, [InvoicePosition])], prefix: String, today: LocalDate,
                          random: inout SimulatorRandom, writer: FeedbackWriter) throws {
        guard !accounts.isEmpty else { return }
        let segments = ["low", "medium", "high"]
        for i in 0..<count {
            let (ref, invoices) = accounts[i % accounts.count]
            let currency = invoices[0].placed.currency
            var event: FeedbackEvent
            switch i % 4 {
            case 0:
                event = FeedbackEvent(type: .payment, eventID: "E\(prefix)\(i)", accountRef: ref)
                event.amount = Money(minorUnits: Int64(1 + random.next() % 500), currency: currency)
                event.occurredOn = today
            case 1:
                event = FeedbackEvent(type: .risk, eventID: "E\(prefix)\(i)", accountRef: ref)
                event.riskScore = Int(random.next() % 1000)
                event.riskSegment = segments[i % 3]
            case 2:
                event = FeedbackEvent(type: .status, eventID: "E\(prefix)\(i)", accountRef: ref)
                event.status = .contacted
                event.occurredOn = today
            default:
                event = FeedbackEvent(type: .promise, eventID: "E\(prefix)\(i)", accountRef: ref)
                event.amount = Money(minorUnits: Int64(100 + random.next() % 10_000), currency: currency)
                event.promisedDate = today.adding(days: 7 + i % 60)
            }
            try writer.write(event)
        }
    }
}

/// SplitMix64: deterministic, seedable.
struct SimulatorRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
