/// What happens to one original customer in the later runs (variants) of a sample extract.
///
/// Drawn once per level from the customer's own stream, so a customer's fate at level 2
/// is the same whatever the number of items or the variant asked for.
struct SampleCustomerPlan {
    /// The level at which every item is paid off (0: never).
    var paidAt: Int = 0
    /// The level at which the open items become disputed (0: never).
    var disputedAt: Int = 0
    /// Bit `n` set: open amounts drop at level `n`.
    var changedLevels: UInt64 = 0

    /// The plan of customer `index` up to `variant`: per level, about 5 % paid off, 5 %
    /// balance changed and 2 % disputed; a paid-off customer is left alone afterwards.
    init(customer index: Int, seed: UInt64, variant: Int) {
        guard variant >= 1 else { return }
        for level in 1...variant where paidAt == 0 {
            var r = SampleRandom(seed: seed, stream: .plan, index: UInt64(index) << 6 | UInt64(level))
            let roll = r.below(1000)
            if roll < 50 {
                paidAt = level
            } else if roll < 100 {
                changedLevels |= 1 << UInt64(level)
            } else if roll < 120, disputedAt == 0 {
                disputedAt = level
            }
        }
    }

    func changesBalance(at level: Int) -> Bool { changedLevels & (1 << UInt64(level)) != 0 }
}
