import Foundation

/// The demo configuration; the same text as `config/demo.yaml` (a test keeps them equal).
enum DemoConfiguration {
    /// The demo configuration with `envelope: openpgp` for the partner (`arlink demo --envelope
    /// openpgp`): our OpenPGP key and archive certificate under `company.openpgp`, the partner's
    /// certificate pinned by `partnerFingerprint` instead of its CMS certificates.
    static func openPGPYaml(partnerFingerprint: String) -> String {
        yaml
            .replacingOccurrences(of: "  archive:\n    certificate: keys/company/archive.crt\n", with: """
                  archive:
                    certificate: keys/company/archive.crt
                  openpgp:
                    key: keys/company/openpgp.sec
                    archive: keys/company/openpgp-archive.pub

                """)
            .replacingOccurrences(of: """
                    certificates:
                      signing: [keys/partner/signing.crt]
                      encryption: keys/partner/encryption.crt
                      ca: keys/ca/partner-ca.crt

                """, with: """
                    envelope: openpgp
                    openpgp:
                      certificates:
                        - file: keys/partner/openpgp.pub
                          fingerprint: \(partnerFingerprint)

                """)
    }

    static let yaml = """
        # arlink demo configuration: written by `arlink demo --workdir DIR` as DIR/arlink.yaml.
        # Every path is relative to this file's folder. Uses the EXAMPLE keys (copied with mode 0600)
        # and local drop folders; never use it for real data.
        version: 1
        company:
          id: acme-corp
          name: ACME Corporation (demo)
          country: DE
          signing:
            certificate: keys/company/signing.crt
            key: keys/company/signing.key
          encryption:
            certificate: keys/company/encryption.crt
            key: keys/company/encryption.key
          archive:
            certificate: keys/company/archive.crt
        state:
          database: state/arlink.sqlite
          work_dir: state/work
        audit:
          key: keys/company/audit.key
          public_key: keys/company/audit.pub
          checkpoint_file: audit/checkpoints.log
          origin: demo.acme-corp.example/arlink-audit
        erp:
          preset: generic
          open_items: erp/open_items.csv
          customers: erp/customers.csv
          payments: erp/payments.csv
          default_currency: EUR
          number_format: plain
          date_format: yyyy-MM-dd
          max_bad_rows: 0
          updates:
            folder: erp/import
            formats: [jsonl, csv]
        partners:
          - id: acme-collect
            name: ACME Collections (demo partner)
            certificates:
              signing: [keys/partner/signing.crt]
              encryption: keys/partner/encryption.crt
              ca: keys/ca/partner-ca.crt
            transport:
              type: folder
              inbox: partner/inbox
              outbox: partner/outbox
              processed: partner/processed
              stable_seconds: 0          # the demo partner renames complete files into place; a real drop folder keeps the default (5)
            portfolio_format: jsonl
            # The demo partner collects from Singapore: a cross-border transfer on standard contractual
            # clauses (transfer_basis: contract). The sha256 is that of an example agreement text; its
            # risk scores are covered by the DPIA named below. See docs/privacy.md.
            country: SG
            transfer_basis: contract
            agreement:
              reference: DEMO-SCC-2025-001
              sha256: 120555c20f7268fa4b22e86fc7fd6f4472fd017439368dfbcfb788240e0408a2
              valid_from: "2025-01-01"
              valid_until: "2036-11-26"
            dpia:
              id: DEMO-DPIA-2025-004
              date: "2025-01-15"
            selection:
              min_days_past_due: 60
              min_balance:
                EUR: "50.00"
                USD: "50.00"
              exclude_groups: [intercompany]
            debtor_fields: [name, tax_id, email, phone, street, postal_code, city, country, language]
            masking:
              tax_id: last4
        """
}
