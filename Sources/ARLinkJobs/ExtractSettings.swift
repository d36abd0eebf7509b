public import ARLinkConfig
public import ARLinkFormats
import ARLinkCore

extension ERPSettings {
    /// The extract reader's options for this ERP configuration.
    /// - Throws: ``ConfigError`` for a column rename naming an unknown logical column.
    public func extractOptions() throws -> ExtractOptions {
        let preset = ExtractPreset(rawValue: preset) ?? .generic
        var options = ExtractOptions(
            preset: preset, csv: CSVOptions(delimiter: delimiter), numberFormat: numberFormat,
            dateFormat: dateFormat, defaultCurrency: defaultCurrency, maxBadRows: maxBadRows
        )
        for (logical, header) in columns["open_items"] ?? [:] {
            guard let column = OpenItemColumn(rawValue: logical) else { throw Self.unknownColumn("open_items", logical, OpenItemColumn.allCases.map(\.rawValue)) }
            options.mapping.openItems[column] = header
        }
        for (logical, header) in columns["customers"] ?? [:] {
            guard let column = CustomerColumn(rawValue: logical) else { throw Self.unknownColumn("customers", logical, CustomerColumn.allCases.map(\.rawValue)) }
            options.mapping.customers[column] = header
            options.mapping.embeddedCustomers[column] = header
        }
        for (logical, header) in columns["payments"] ?? [:] {
            guard let column = PaymentColumn(rawValue: logical) else { throw Self.unknownColumn("payments", logical, PaymentColumn.allCases.map(\.rawValue)) }
            options.mapping.payments[column] = header
        }
        return options
    }

    /// The extract's files.
    public var extractFiles: ExtractFiles {
        ExtractFiles(openItems: openItemsPath, customers: customersPath, payments: paymentsPath)
    }

    static func unknownColumn(_ file: String, _ logical: String, _ known: [String]) -> ConfigError {
        ConfigError(.unknownKey, "erp.columns.\(file).\(logical.prefix(40)): not a column arlink knows (expected one of \(known.joined(separator: ", ")))")
    }
}
