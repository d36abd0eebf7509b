/// How one country writes the customer fields the generator fills in: cities with their
/// postal-code prefix and phone area code, streets, legal forms, tax-id shape.
///
/// The formats are plausible, not authoritative; the numbers are random. Phone numbers use
/// ranges reserved for fiction where a country has one (US 555-01xx, UK 020 7946 0xxx) and
/// e-mail domains end in the reserved `.example` top-level domain, so no generated contact
/// detail reaches a real person.
struct SampleCountry: Sendable {
    /// A city, the leading digits or letters of its postal codes, and its phone area code.
    struct City: Sendable {
        let name: String
        let postalPrefix: String
        let areaCode: String
    }

    /// The shape of a postal code after the city's prefix.
    enum PostalStyle: Sendable {
        /// Digits up to this total length ("10115").
        case digits(Int)
        /// Four digits, a space, two letters ("1012 AB").
        case dutch
        /// Outward code, a space, digit and two letters ("SW1A 2BX").
        case british
    }

    /// Where the house number goes.
    enum StreetStyle: Sendable {
        /// "Hauptstraße 12"
        case nameThenNumber
        /// "12 rue de la Paix", "480 Market Street" (sometimes with ", Suite 200" or "Unit 4, ")
        case numberThenName
    }

    /// The shape of a VAT or tax number.
    enum TaxStyle: Sendable {
        /// Prefix, this many random digits, suffix ("DE123456789", "NL123456789B01").
        case digits(prefix: String, count: Int, suffix: String)
        /// US employer identification number ("12-3456789").
        case employerID
    }

    let code: String
    /// Share of customers in this country, per mille.
    let weight: Int
    let language: String
    /// The currency its customers are invoiced in when the options offer it.
    let currency: String
    let phonePrefix: String
    let cities: [City]
    let streets: [String]
    let streetStyle: StreetStyle
    let postalStyle: PostalStyle
    let legalForms: [String]
    let tax: TaxStyle
}
