/// Word lists the generator combines into made-up customers.
///
/// Every name is an invented combination of common first names, surnames and business
/// words; some carry non-ASCII letters, apostrophes, commas or quotes on purpose, so that
/// extract readers meet the CSV quoting and UTF-8 they will meet in real customer masters.
enum SampleVocabulary {
    static let firstNames = [
        "Søren", "Jürgen", "François", "José", "Łukasz", "Åsa", "Zoë", "Björn", "Renée", "Anna",
        "Thomas", "Peter", "Sophie", "Emma", "Noah", "Olivia", "Lucas", "Mia", "Jan", "Eva",
        "Pieter", "Sanne", "Hannah", "Jean", "Claire", "Michael", "Laura", "Ingrid", "Mateo", "Chloé",
        "Henrik", "Katharina", "Oliver", "Amélie", "Tobias", "Sarah", "Daniel", "Lea", "Frederik", "Grace",
    ]

    static let lastNames = [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schäfer",
        "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Dubois", "Lefèvre", "Martin",
        "Bernard", "Moreau", "de Vries", "Jansen", "van Dijk", "Bakker", "Smith", "Johnson", "Brown", "O'Neil",
        "García", "Núñez", "Kowalski", "Nowak", "Çelik", "Jensen", "Sørensen", "Ødegaard", "Gruber", "Huber",
        "Pichler", "Peeters", "Janssens", "Lambert", "Walsh", "Taylor", "Andersen", "Nielsen", "Krüger", "Vogel",
    ]

    static let brandWords = [
        "Nordlicht", "Alpen", "Rhein", "Blue Sky", "Sonnen", "Atlas", "Horizon", "Polar", "Summit", "Cedar",
        "Harbor", "Kraft", "Brücken", "Stahl", "Grün", "Linden", "Eiche", "Falken", "Meridian", "Delta",
        "Orion", "Vista", "Pioneer", "Zenit", "Løvtræ", "Étoile", "Tulip", "Northwind", "Silverline", "Hafen",
    ]

    static let tradeWords = [
        "Logistik", "Bau", "Handel", "Technik", "Systems", "Foods", "Trading", "Consulting", "Services", "Solutions",
        "Möbel", "Elektro", "Metallbau", "Transporte", "Industries", "Holdings", "Media", "Design", "Werkzeuge", "Pharma",
        "Garten", "Druck", "Textil", "Energie", "Software",
    ]

    /// Posting texts for the optional extra column of `open_items.csv`.
    static let postingTexts = [
        "Lieferung lt. Auftrag", "Wartungsvertrag Q3", "Consulting services, October", "Ersatzteile inkl. Versand",
        "Licence renewal", "Miete Lagerfläche Süd", "Prestation de service", "Onderhoud installatie",
        "Freight \"express\" surcharge", "Gutschrift Retoure", "Installation, Schulung und Abnahme", "Abonnement annuel",
    ]

    /// Free texts of the optional `communication_restriction` column (some need CSV quoting).
    static let communicationRestrictions = [
        "Written contact only", "No calls before 9:00 or after 20:00", "Do not call at work",
        "E-mail only, no phone calls", "Calls on weekdays only, \"never on Sundays\"", "Contact through the tax adviser",
    ]

    /// Creditor names on the itemization date (before a merger or sale of the receivables).
    static let creditorNames = [
        "Northwind Supplies Inc.", "Harbor Retail Finance LLC", "Nordlicht Handel GmbH", "Cedar & Summit Trading Co.",
    ]

    static let mailboxes = ["info", "accounts", "billing", "office", "ap", "finance", "buchhaltung"]
    static let personalMailDomains = ["mail.example", "post.example", "inbox.example", "webmail.example"]

    static let countries: [SampleCountry] = [
        SampleCountry(
            code: "DE", weight: 380, language: "de", currency: "EUR", phonePrefix: "+49",
            cities: [
                .init(name: "Berlin", postalPrefix: "10", areaCode: "30"),
                .init(name: "Hamburg", postalPrefix: "20", areaCode: "40"),
                .init(name: "München", postalPrefix: "80", areaCode: "89"),
                .init(name: "Köln", postalPrefix: "50", areaCode: "221"),
                .init(name: "Frankfurt am Main", postalPrefix: "60", areaCode: "69"),
                .init(name: "Stuttgart", postalPrefix: "70", areaCode: "711"),
                .init(name: "Düsseldorf", postalPrefix: "40", areaCode: "211"),
                .init(name: "Leipzig", postalPrefix: "04", areaCode: "341"),
                .init(name: "Nürnberg", postalPrefix: "90", areaCode: "911"),
                .init(name: "Bremen", postalPrefix: "28", areaCode: "421"),
            ],
            streets: [
                "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Goethestraße", "Lindenallee",
                "Am Markt", "Industriestraße", "Mühlenweg", "Friedrich-Ebert-Straße", "Gewerbepark Süd",
            ],
            streetStyle: .nameThenNumber, postalStyle: .digits(5),
            legalForms: ["GmbH", "GmbH", "GmbH", "AG", "KG", "GmbH & Co. KG", "e.K."],
            tax: .digits(prefix: "DE", count: 9, suffix: "")
        ),
        SampleCountry(
            code: "AT", weight: 90, language: "de", currency: "EUR", phonePrefix: "+43",
            cities: [
                .init(name: "Wien", postalPrefix: "1", areaCode: "1"),
                .init(name: "Graz", postalPrefix: "80", areaCode: "316"),
                .init(name: "Linz", postalPrefix: "40", areaCode: "732"),
                .init(name: "Salzburg", postalPrefix: "50", areaCode: "662"),
                .init(name: "Innsbruck", postalPrefix: "60", areaCode: "512"),
            ],
            streets: ["Mariahilfer Straße", "Herrengasse", "Landstraßer Hauptstraße", "Kärntner Ring", "Bahnhofplatz"],
            streetStyle: .nameThenNumber, postalStyle: .digits(4),
            legalForms: ["GmbH", "GmbH", "AG", "OG", "KG"],
            tax: .digits(prefix: "ATU", count: 8, suffix: "")
        ),
        SampleCountry(
            code: "NL", weight: 110, language: "nl", currency: "EUR", phonePrefix: "+31",
            cities: [
                .init(name: "Amsterdam", postalPrefix: "10", areaCode: "20"),
                .init(name: "Rotterdam", postalPrefix: "30", areaCode: "10"),
                .init(name: "Den Haag", postalPrefix: "25", areaCode: "70"),
                .init(name: "Utrecht", postalPrefix: "35", areaCode: "30"),
                .init(name: "Eindhoven", postalPrefix: "56", areaCode: "40"),
            ],
            streets: ["Keizersgracht", "Damrak", "Coolsingel", "Stationsplein", "Oudegracht", "Industrieweg"],
            streetStyle: .nameThenNumber, postalStyle: .dutch,
            legalForms: ["B.V.", "B.V.", "N.V.", "V.O.F."],
            tax: .digits(prefix: "NL", count: 9, suffix: "B01")
        ),
        SampleCountry(
            code: "FR", weight: 110, language: "fr", currency: "EUR", phonePrefix: "+33",
            cities: [
                .init(name: "Paris", postalPrefix: "750", areaCode: "1"),
                .init(name: "Lyon", postalPrefix: "6900", areaCode: "4"),
                .init(name: "Marseille", postalPrefix: "130", areaCode: "4"),
                .init(name: "Toulouse", postalPrefix: "310", areaCode: "5"),
                .init(name: "Lille", postalPrefix: "590", areaCode: "3"),
            ],
            streets: [
                "rue de la République", "avenue des Champs-Élysées", "boulevard Haussmann", "rue Victor Hugo",
                "place de l'Église", "quai de la Loire",
            ],
            streetStyle: .numberThenName, postalStyle: .digits(5),
            legalForms: ["SARL", "SAS", "SA", "EURL"],
            tax: .digits(prefix: "FR", count: 11, suffix: "")
        ),
        SampleCountry(
            code: "BE", weight: 50, language: "fr", currency: "EUR", phonePrefix: "+32",
            cities: [
                .init(name: "Bruxelles", postalPrefix: "10", areaCode: "2"),
                .init(name: "Antwerpen", postalPrefix: "20", areaCode: "3"),
                .init(name: "Liège", postalPrefix: "40", areaCode: "4"),
                .init(name: "Gent", postalPrefix: "90", areaCode: "9"),
            ],
            streets: ["Rue de la Loi", "Meir", "Avenue Louise", "Korenmarkt", "Chaussée de Wavre"],
            streetStyle: .nameThenNumber, postalStyle: .digits(4),
            legalForms: ["SRL", "BV", "SA", "NV"],
            tax: .digits(prefix: "BE0", count: 9, suffix: "")
        ),
        SampleCountry(
            code: "DK", weight: 40, language: "da", currency: "DKK", phonePrefix: "+45",
            cities: [
                .init(name: "København", postalPrefix: "1", areaCode: "3"),
                .init(name: "Aarhus", postalPrefix: "80", areaCode: "8"),
                .init(name: "Odense", postalPrefix: "50", areaCode: "6"),
            ],
            streets: ["Vesterbrogade", "Nørrebrogade", "Østergade", "Strøget", "Søndergade"],
            streetStyle: .nameThenNumber, postalStyle: .digits(4),
            legalForms: ["ApS", "A/S", "I/S"],
            tax: .digits(prefix: "DK", count: 8, suffix: "")
        ),
        SampleCountry(
            code: "GB", weight: 80, language: "en", currency: "GBP", phonePrefix: "+44",
            cities: [
                .init(name: "London", postalPrefix: "SW1A", areaCode: "20 7946 0"),
                .init(name: "London", postalPrefix: "EC2V", areaCode: "20 7946 0"),
                .init(name: "Manchester", postalPrefix: "M1", areaCode: "161 496 0"),
                .init(name: "Birmingham", postalPrefix: "B3", areaCode: "121 496 0"),
                .init(name: "Leeds", postalPrefix: "LS1", areaCode: "113 496 0"),
            ],
            streets: ["High Street", "King's Road", "Station Road", "Church Lane", "Victoria Street", "Mill Lane"],
            streetStyle: .numberThenName, postalStyle: .british,
            legalForms: ["Ltd", "Ltd", "PLC", "LLP"],
            tax: .digits(prefix: "GB", count: 9, suffix: "")
        ),
        SampleCountry(
            code: "US", weight: 140, language: "en", currency: "USD", phonePrefix: "+1",
            cities: [
                .init(name: "New York", postalPrefix: "100", areaCode: "212-555-01"),
                .init(name: "Chicago", postalPrefix: "606", areaCode: "312-555-01"),
                .init(name: "Austin", postalPrefix: "787", areaCode: "512-555-01"),
                .init(name: "Seattle", postalPrefix: "981", areaCode: "206-555-01"),
                .init(name: "Boston", postalPrefix: "021", areaCode: "617-555-01"),
            ],
            streets: ["Main Street", "Market Street", "Oak Avenue", "Broadway", "Lakeview Drive", "Elm Street"],
            streetStyle: .numberThenName, postalStyle: .digits(5),
            legalForms: ["Inc.", "Inc.", "LLC", "Corp.", "Co."],
            tax: .employerID
        ),
    ]

    /// ``asciiSlug(_:)`` of every name and word in the lists, computed once.
    static let slugs: [String: String] = {
        var table: [String: String] = [:]
        for word in firstNames + lastNames + brandWords + tradeWords { table[word] = asciiSlug(word) }
        return table
    }()

    /// The slug of a list word (from ``slugs``), or of any other text.
    static func slug(_ word: String) -> String { slugs[word] ?? asciiSlug(word) }

    /// Lower-case ASCII letters and digits of `text`, with common accented letters spelt out
    /// ("Müller" → "mueller", "Søren" → "soeren"), for e-mail addresses.
    static func asciiSlug(_ text: String) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9": out.unicodeScalars.append(scalar)
            case "ä", "æ": out += "ae"
            case "ö", "ø", "œ": out += "oe"
            case "ü": out += "ue"
            case "ß": out += "ss"
            case "å": out += "aa"
            case "à", "á", "â", "ã", "ą": out += "a"
            case "ç", "č", "ć": out += "c"
            case "è", "é", "ê", "ë", "ę": out += "e"
            case "ì", "í", "î", "ï", "ı": out += "i"
            case "ł": out += "l"
            case "ñ", "ń": out += "n"
            case "ò", "ó", "ô", "õ", "ő": out += "o"
            case "ù", "ú", "û", "ű": out += "u"
            case "ś", "š", "ş": out += "s"
            case "ž", "ź", "ż": out += "z"
            default: break
            }
        }
        return out
    }
}
