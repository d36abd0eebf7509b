import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// Committed fixtures (copied as the bundle's `Fixtures` resource; the source folder as fallback).
enum Fixtures {
    static let root: String = {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url.path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }
}

/// Writes `bytes` to a new file in `dir` and returns its path.
@discardableResult
func writeBytes(_ dir: TemporaryDirectory, _ name: String, _ bytes: [UInt8]) throws -> String {
    let path = dir.file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Runs `body` and returns the ``FormatError`` it throws (or records an issue).
func formatError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> FormatError? {
    do {
        try body()
        Issue.record("expected a FormatError, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as FormatError {
        return error
    } catch {
        Issue.record("expected a FormatError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The customer master most extract tests use.
let standardCustomers = "customer_id,name\nC1,Alpha GmbH\nC2,Beta SA\n"
let genericHeader = "invoice_number,customer_id,invoice_date,due_date,amount,open_amount,currency,disputed,blocked,promise_date,settled\n"

/// Reads a generic extract written from text.
func readGeneric(
    _ dir: TemporaryDirectory, items: String, customers: String = standardCustomers, options: ExtractOptions = ExtractOptions()
) throws -> Extract {
    let itemsPath = try dir.write("open_items.csv", items)
    let customersPath = try dir.write("customers.csv", customers)
    return try ExtractReader(options: options).read(ExtractFiles(openItems: itemsPath, customers: customersPath))
}
