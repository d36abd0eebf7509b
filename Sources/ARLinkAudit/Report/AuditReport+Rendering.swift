import Foundation

extension AuditReport {
    static let csvHeader = ["section", "partner", "direction", "time", "sequence", "action", "outcome", "file_id", "batch_id", "file_name",
                            "record_count", "totals", "plaintext_sha256", "sealed_sha256", "error_code", "reason", "actor"]

    /// CSV (RFC 4180): one line per transfer entry (`transfer`), refusal (`refusal`) and
    /// exception (`exception`), then one `checkpoint` line with the log's status.
    public func csv() -> String {
        var lines = [Self.csvHeader.joined(separator: ",")]
        for (section, rows) in [("transfer", transfers), ("refusal", refusals), ("exception", exceptions)] {
            for row in rows {
                lines.append(([section, row.partner, row.direction, row.time, String(row.sequence), row.action, row.outcome, row.fileID, row.batchID,
                               row.fileName, row.recordCount.map(String.init) ?? "", Self.totalsText(row.totals), row.plaintextSHA256, row.sealedSHA256,
                               row.errorCode, row.reason, row.actor]).map(Self.csvField).joined(separator: ","))
            }
        }
        var status = Array(repeating: "", count: Self.csvHeader.count)
        status[0] = "checkpoint"
        status[3] = latestCheckpoint.map { _ in generatedAt } ?? generatedAt
        status[4] = latestCheckpoint.map { String($0.treeSize) } ?? ""
        status[6] = checkpointStatus.hasPrefix("intact") ? "intact" : "not_intact"
        status[15] = checkpointStatus
        lines.append(status.map(Self.csvField).joined(separator: ","))
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// JSON with sorted keys: period, log status, transfers grouped by partner and direction,
    /// refusals, exceptions and daily volumes.
    public func json() throws -> String {
        func rowObject(_ row: Row) -> [String: Any] {
            var object: [String: Any] = ["sequence": row.sequence, "time": row.time, "action": row.action, "outcome": row.outcome, "actor": row.actor]
            for (key, value) in [("partner", row.partner), ("direction", row.direction), ("file_id", row.fileID), ("batch_id", row.batchID),
                                 ("file_name", row.fileName), ("plaintext_sha256", row.plaintextSHA256), ("sealed_sha256", row.sealedSHA256),
                                 ("error_code", row.errorCode), ("reason", row.reason)] where !value.isEmpty {
                object[key] = value
            }
            if let count = row.recordCount { object["record_count"] = count }
            if !row.totals.isEmpty { object["totals"] = row.totals }
            return object
        }
        var log: [String: Any] = ["origin": origin, "status": checkpointStatus, "intact": checkpointStatus.hasPrefix("intact"), "entries": entryCount]
        if let latest = latestCheckpoint {
            log["latest_checkpoint"] = ["tree_size": latest.treeSize, "root_hash": latest.rootHash.base64, "note": latest.noteText]
        }
        let object: [String: Any] = [
            "report": "arlink-audit-report-v1",
            "period": ["from": from, "to": to],
            "generated_at": generatedAt,
            "log": log,
            "transfers": groups.map { ["partner": $0.partner, "direction": $0.direction, "entries": $0.rows.map(rowObject)] },
            "refusals": refusals.map(rowObject),
            "exceptions": exceptions.map(rowObject),
            "daily_volumes": dailyVolumes.map {
                ["day": $0.day, "outbound_files": $0.outboundFiles, "inbound_files": $0.inboundFiles,
                 "outbound_records": $0.outboundRecords, "inbound_records": $0.inboundRecords]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func totalsText(_ totals: [String: String]) -> String {
        totals.keys.sorted().map { "\($0) \(totals[$0] ?? "")" }.joined(separator: "; ")
    }

    static func csvField(_ text: String) -> String {
        // A leading = + - @ would be run as a formula by spreadsheets: prefix a quote.
        var value = text
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
