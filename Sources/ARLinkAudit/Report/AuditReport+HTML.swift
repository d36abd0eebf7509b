extension AuditReport {
    /// A self-contained HTML page (inline CSS and SVG, no scripts, no external assets).
    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>arlink audit report \(Self.escape(from)) to \(Self.escape(to))</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1d2330;max-width:1200px}
            h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}
            table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0 1rem}
            th,td{border:1px solid #d5d9e2;padding:.25rem .4rem;text-align:left;vertical-align:top}
            th{background:#eef1f6}td.num{text-align:right}code{font-size:.75rem;word-break:break-all}
            .ok{color:#116329}.bad{color:#a40e26;font-weight:bold}.status{padding:.6rem;border-radius:4px;background:#f4f6fa}
            .legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
            pre{background:#f4f6fa;padding:.6rem;overflow-x:auto;font-size:.8rem}
            .banner{background:#a40e26;color:#fff;font-weight:bold;padding:.8rem;border-radius:4px}
            </style></head><body>
            <h1>Audit report: \(Self.escape(from)) to \(Self.escape(to))</h1>
            <p>Log <code>\(Self.escape(origin))</code>, generated \(Self.escape(generatedAt)) (UTC). All times are UTC.</p>

            """
        let intact = isIntact
        if !intact {
            out += "<p class=\"banner\">THE AUDIT LOG IS NOT INTACT: the figures below come from a log that failed verification and cannot be relied on. \(Self.escape(checkpointStatus))</p>\n"
        }
        out += "<h2>Log status</h2>\n<p class=\"status \(intact ? "ok" : "bad")\">\(Self.escape(checkpointStatus))</p>\n"
        if let latest = latestCheckpoint {
            out += "<p>Newest signed checkpoint (tree size \(latest.treeSize)):</p>\n<pre>\(Self.escape(latest.noteText))</pre>\n"
        }
        out += "<h2>Daily volumes</h2>\n" + chart()
        out += "<h2>Transfers</h2>\n"
        if transfers.isEmpty { out += "<p>No transfers in this period.</p>\n" }
        for group in groups {
            out += "<h3>\(Self.escape(group.partner.isEmpty ? "(no partner)" : group.partner)) \u{2014} \(Self.escape(group.direction.isEmpty ? "(no direction)" : group.direction))</h3>\n"
            out += table(group.rows, reasons: false)
        }
        out += "<h2>Refusals and quarantines</h2>\n" + (refusals.isEmpty ? "<p>None.</p>\n" : table(refusals, reasons: true))
        out += "<h2>Reconciliation exceptions</h2>\n" + (exceptions.isEmpty ? "<p>None.</p>\n" : table(exceptions, reasons: true))
        out += "<h2>Actions</h2>\n<table><tr><th>action</th><th>meaning</th></tr>\n"
        for action in Set((transfers + refusals + exceptions).map(\.action)).sorted() {
            out += "<tr><td><code>\(Self.escape(action))</code></td><td>\(Self.escape(Self.actionMeanings[action] ?? "see docs/audit-log.md"))</td></tr>\n"
        }
        out += "</table>\n"
        out += "<p>Check this log yourself: <code>arlink audit verify --config FILE</code>; prove a transfer: <code>arlink audit prove --config FILE --file-id ID</code>.</p>\n</body></html>\n"
        return out
    }

    private func table(_ rows: [Row], reasons: Bool) -> String {
        var out = "<table><tr><th>#</th><th>time</th><th>action</th><th>outcome</th><th>file</th><th>batch</th><th>records</th><th>totals</th>"
        out += reasons ? "<th>partner</th><th>reason</th></tr>\n" : "<th>digests (plaintext / sealed)</th></tr>\n"
        for row in rows {
            let outcomeClass = row.outcome == "ok" ? "ok" : "bad"
            out += "<tr><td class=\"num\">\(row.sequence)</td><td>\(Self.escape(row.time))</td><td>\(Self.escape(row.action))</td>"
            out += "<td class=\"\(outcomeClass)\">\(Self.escape(row.outcome))</td><td>\(Self.escape(row.fileName))<br><code>\(Self.escape(row.fileID))</code></td><td><code>\(Self.escape(row.batchID))</code></td>"
            out += "<td class=\"num\">\(row.recordCount.map(String.init) ?? "")</td><td>\(Self.escape(Self.totalsText(row.totals)))</td>"
            if reasons {
                out += "<td>\(Self.escape(row.partner))</td><td>\(Self.escape(row.reason))</td></tr>\n"
            } else {
                out += "<td><code>\(Self.escape(row.plaintextSHA256))<br>\(Self.escape(row.sealedSHA256))</code></td></tr>\n"
            }
        }
        return out + "</table>\n"
    }

    /// An inline SVG bar chart: files per day, outbound and inbound side by side.
    private func chart() -> String {
        guard !dailyVolumes.isEmpty else { return "<p>No files delivered or fetched in this period.</p>\n" }
        let maxFiles = max(1, dailyVolumes.map { max($0.outboundFiles, $0.inboundFiles) }.max() ?? 1)
        let barWidth = 14, gap = 10, height = 160, top = 10, bottom = 40
        let width = max(300, dailyVolumes.count * (2 * barWidth + gap) + 60)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height + top + bottom)\" role=\"img\" aria-label=\"files per day\">\n"
        svg += "<line x1=\"40\" y1=\"\(top + height)\" x2=\"\(width)\" y2=\"\(top + height)\" stroke=\"#888\"/>\n"
        svg += "<text x=\"2\" y=\"\(top + 10)\" font-size=\"10\">\(maxFiles)</text><text x=\"2\" y=\"\(top + height)\" font-size=\"10\">0</text>\n"
        for (index, volume) in dailyVolumes.enumerated() {
            let x = 45 + index * (2 * barWidth + gap)
            for (offset, value, color, label) in [(0, volume.outboundFiles, "#3b6fb6", "outbound"), (barWidth, volume.inboundFiles, "#d08a2c", "inbound")] {
                let barHeight = value * height / maxFiles
                svg += "<rect x=\"\(x + offset)\" y=\"\(top + height - barHeight)\" width=\"\(barWidth - 2)\" height=\"\(barHeight)\" fill=\"\(color)\"><title>\(Self.escape(volume.day)) \(label): \(value) files</title></rect>\n"
            }
            svg += "<text x=\"\(x)\" y=\"\(top + height + 14)\" font-size=\"9\" transform=\"rotate(30 \(x) \(top + height + 14))\">\(Self.escape(String(volume.day.dropFirst(5))))</text>\n"
        }
        svg += "</svg>\n"
        svg += "<p class=\"legend\"><span style=\"background:#3b6fb6\"></span>outbound files<span style=\"background:#d08a2c\"></span>inbound files</p>\n"
        var rows = "<table><tr><th>day</th><th>outbound files</th><th>outbound records</th><th>inbound files</th><th>inbound records</th></tr>\n"
        for volume in dailyVolumes {
            rows += "<tr><td>\(volume.day)</td><td class=\"num\">\(volume.outboundFiles)</td><td class=\"num\">\(volume.outboundRecords)</td><td class=\"num\">\(volume.inboundFiles)</td><td class=\"num\">\(volume.inboundRecords)</td></tr>\n"
        }
        return svg + rows + "</table>\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// What each action code means, for the page's legend.
    static let actionMeanings: [String: String] = [
        "config.loaded": "the configuration a run used (its SHA-256)",
        "batch.built": "an outbound portfolio was written (records and totals)",
        "batch.sealed": "the portfolio was signed and encrypted",
        "batch.delivered": "the sealed portfolio reached the partner",
        "batch.skipped": "nothing to place for the partner on that day",
        "file.received": "a feedback file was received again (a replay of applied bytes)",
        "file.applied": "a feedback file was opened, checked and applied (events and totals)",
        "file.quarantined": "a feedback file was refused and kept in quarantine with its reason",
        "file.held": "a feedback file was held until the file before it in sequence arrives",
        "file.finished": "a fetched feedback file was moved out of the partner's outbox",
        "erp.exported": "ERP status updates were written to the import folder",
        "receipt.sealed": "a receipt for the partner was signed and encrypted",
        "receipt.delivered": "the receipt reached the partner",
        "promises.checked": "promises to pay were checked against payments",
        "keys.checked": "keys and certificates were checked",
        "state.initialized": "arlink init created the state database",
        "audit.recovered": "an operator let runs continue after the log stopped extending its checkpoint",
        "audit.checkpoint_file_repaired": "a torn note was cut off the end of the checkpoint file",
    ]
}
