import ARLinkSystem

/// Writes an ``AuditEntry`` in its canonical form, byte for byte deterministic:
///
/// `{"v":1,"seq":N,"prev":"<hex>","time":"…","actor":{"host":"…","user":"…"},"action":"…","outcome":"…"`
/// then, only when present and in this order: `partner`, `direction`, `batch_id`, `file_id`,
/// `file_name`, `plaintext_sha256`, `sealed_sha256`, `record_count`, `totals` (keys sorted),
/// `error_code`, `detail` (keys sorted by UTF-8 bytes); then `}`.
/// Strings escape `"` and `\` with a backslash and control characters as `\u00xx`;
/// everything else is written as UTF-8.
struct CanonicalJSONWriter {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    mutating func write(_ entry: AuditEntry) {
        let event = entry.event
        raw("{\"v\":")
        number(entry.version)
        raw(",\"seq\":")
        number(entry.sequence)
        raw(",\"prev\":\"")
        entry.previous.appendHex(to: &bytes)
        raw("\",\"time\":")
        string(entry.time)
        raw(",\"actor\":{\"host\":")
        string(entry.actor.host)
        raw(",\"user\":")
        string(entry.actor.user)
        raw("},\"action\":")
        string(event.action)
        raw(",\"outcome\":")
        string(event.outcome)
        field("partner", event.partner)
        field("direction", event.direction)
        field("batch_id", event.batchID)
        field("file_id", event.fileID)
        field("file_name", event.fileName)
        field("plaintext_sha256", event.plaintextSHA256)
        field("sealed_sha256", event.sealedSHA256)
        if let count = event.recordCount {
            raw(",\"record_count\":")
            number(count)
        }
        map("totals", event.totals)
        field("error_code", event.errorCode)
        map("detail", event.detail)
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        raw(",\"")
        raw(key)
        raw("\":")
        string(value)
    }

    private mutating func map(_ key: String, _ values: [String: String]) {
        guard !values.isEmpty else { return }
        raw(",\"")
        raw(key)
        raw("\":{")
        let keys = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for (index, name) in keys.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(name)
            bytes.append(UInt8(ascii: ":"))
            string(values[name] ?? "")
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func number(_ value: some BinaryInteger) {
        bytes.append(contentsOf: String(value).utf8)
    }

    private mutating func string(_ text: String) {
        do {
            let utf8 = text.utf8
            bytes.append(UInt8(ascii: "\""))
            // Fast path: nothing to escape (the usual case for ids, codes and digests).
            var clean = true
            let span = utf8.span
            for index in span.indices {
                let byte = span[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    clean = false
                    break
                }
            }
            if clean {
                bytes.append(contentsOf: utf8)
            } else {
                for byte in utf8 {
                    switch byte {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                        bytes.append(UInt8(ascii: "\\"))
                        bytes.append(byte)
                    case 0..<0x20:
                        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                        bytes.append(Hex.digit(byte >> 4))
                        bytes.append(Hex.digit(byte & 15))
                    default:
                        bytes.append(byte)
                    }
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }
}
