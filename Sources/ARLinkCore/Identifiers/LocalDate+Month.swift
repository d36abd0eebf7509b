extension LocalDate {
    /// `YYYY-MM`, the month this day falls in.
    public var month: String { String(iso.prefix(7)) }
}
