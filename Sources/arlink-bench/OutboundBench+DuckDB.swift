import ARLinkCore

/// The peer of `arlink-bench outbound`: what a data engineer would write instead of arlink.
/// DuckDB (Python package `duckdb`, installed by `scripts/bench-setup.sh`) reads the same
/// generated extract, joins the customers, applies the main selection rules of the demo
/// partner and writes one JSON line per account (invoices, per-currency balances, aging
/// buckets, masked debtor fields) to standard output, which `openssl cms` signs and encrypts
/// for the same two recipients as arlink, streaming.
enum DuckDBPeer {
    /// The Python script: `peer.py FOLDER AS_OF MIN_DAYS` (FOLDER holds open_items.csv and customers.csv).
    static let script = #"""
import sys
import duckdb

folder, as_of, min_days = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = duckdb.connect()
con.execute(f"""
COPY (
  WITH items AS (
    SELECT * FROM read_csv('{folder}/open_items.csv', header = true,
      types = {{'invoice_number': 'VARCHAR', 'customer_id': 'VARCHAR', 'invoice_date': 'DATE', 'due_date': 'DATE',
               'amount': 'DECIMAL(18,2)', 'open_amount': 'DECIMAL(18,2)', 'currency': 'VARCHAR',
               'disputed': 'BOOLEAN', 'blocked': 'BOOLEAN', 'promise_date': 'DATE', 'settled': 'BOOLEAN'}})
  ),
  customers AS (
    SELECT * FROM read_csv('{folder}/customers.csv', header = true, all_varchar = true)
  ),
  eligible AS (
    SELECT customer_id, invoice_number, invoice_date, due_date, currency, amount, open_amount
    FROM items
    WHERE NOT coalesce(settled, false) AND open_amount > 0
      AND NOT coalesce(disputed, false) AND NOT coalesce(blocked, false)
      AND (promise_date IS NULL OR promise_date < DATE '{as_of}')
      AND due_date <= DATE '{as_of}' - {min_days}
  ),
  -- open credit notes are netted into an account in the currencies it has eligible invoices in
  credits AS (
    SELECT i.customer_id, i.invoice_number, i.invoice_date, i.due_date, i.currency, i.amount, i.open_amount
    FROM items i SEMI JOIN (SELECT DISTINCT customer_id, currency FROM eligible) e
      ON i.customer_id = e.customer_id AND i.currency = e.currency
    WHERE NOT coalesce(i.settled, false) AND i.open_amount < 0
  ),
  lines AS (
    SELECT *, DATE '{as_of}' - due_date AS dpd,
      CASE WHEN DATE '{as_of}' - due_date < 1 THEN NULL
           WHEN DATE '{as_of}' - due_date <= 30 THEN '1-30'
           WHEN DATE '{as_of}' - due_date <= 60 THEN '31-60'
           WHEN DATE '{as_of}' - due_date <= 90 THEN '61-90'
           WHEN DATE '{as_of}' - due_date <= 180 THEN '91-180'
           WHEN DATE '{as_of}' - due_date <= 365 THEN '181-365'
           ELSE 'over-365' END AS bucket
    FROM (SELECT * FROM eligible UNION ALL SELECT * FROM credits)
  ),
  balances AS (
    SELECT customer_id,
      list({{'currency': currency, 'amount': CAST(balance AS VARCHAR)}} ORDER BY currency) AS balances,
      bool_or(balance >= CASE currency WHEN 'EUR' THEN 50 WHEN 'USD' THEN 50 ELSE 0.01 END) AS reaches_minimum
    FROM (SELECT customer_id, currency, sum(open_amount) AS balance FROM lines GROUP BY ALL)
    GROUP BY customer_id
  ),
  aging AS (
    SELECT customer_id,
      list({{'bucket': bucket, 'currency': currency, 'amount': CAST(total AS VARCHAR)}} ORDER BY low, currency) AS aging
    FROM (SELECT customer_id, bucket, currency, min(dpd) AS low, sum(open_amount) AS total
          FROM lines WHERE bucket IS NOT NULL GROUP BY customer_id, bucket, currency)
    GROUP BY customer_id
  ),
  invoices AS (
    SELECT customer_id,
      list({{'number': invoice_number, 'invoice_date': invoice_date, 'due_date': due_date, 'currency': currency,
             'amount': CAST(amount AS VARCHAR), 'open_amount': CAST(open_amount AS VARCHAR), 'days_past_due': dpd}}
           ORDER BY due_date, invoice_number) AS invoices,
      min(due_date) AS oldest_due_date, max(dpd) AS days_past_due
    FROM lines GROUP BY customer_id
  )
  SELECT 'place' AS record_type, c.customer_id AS account_ref,
    {{'name': c.name,
      'tax_id': CASE WHEN length(c.tax_id) > 4 THEN repeat('*', length(c.tax_id) - 4) || right(c.tax_id, 4) ELSE c.tax_id END,
      'email': c.email, 'phone': c.phone, 'street': c.street, 'postal_code': c.postal_code, 'city': c.city,
      'country': c.country, 'language': c.language}} AS debtor,
    i.invoices, b.balances, coalesce(a.aging, []) AS aging, i.oldest_due_date, i.days_past_due
  FROM invoices i
    JOIN balances b USING (customer_id)
    LEFT JOIN aging a USING (customer_id)
    JOIN customers c USING (customer_id)
  WHERE b.reaches_minimum
    AND NOT coalesce(c.blocked = 'true', false)
    AND coalesce(lower(trim(c."group")), '') <> 'intercompany'
  ORDER BY account_ref
) TO '/dev/stdout' (FORMAT json)
""")
"""#

    /// The peer without sealing: JSON lines into `output`.
    static func plainCommand(python: String, asOf: LocalDate, output: String) -> String {
        "'\(python)' peer.py erp \(asOf.iso) 60 > \(output)"
    }

    /// The timed pipeline: DuckDB, then streaming sign and encrypt with the example keys.
    static func pipeline(python: String, asOf: LocalDate, output: String) -> String {
        "'\(python)' peer.py erp \(asOf.iso) 60"
            + " | openssl cms -sign -binary -nodetach -stream -signer keys/company/signing.crt -inkey keys/company/signing.key -outform DER"
            + " | openssl cms -encrypt -binary -stream -aes-256-gcm -recip keys/partner/encryption.crt -keyopt ecdh_kdf_md:sha256"
            + " -recip keys/company/archive.crt -keyopt ecdh_kdf_md:sha256 -outform DER -out \(output)"
    }
}
