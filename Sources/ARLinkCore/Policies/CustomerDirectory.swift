/// Customers by id, stored compactly: the customers in one array, in the order they were
/// added, and a small table from id to position.
///
/// A `[String: Customer]` keeps a slot of the whole record for every bucket of its table (at
/// most three quarters full): for 100,000 customers, 262,144 slots of a few hundred bytes
/// each. Here the table holds only a 4-byte position per slot.
public struct CustomerDirectory: Sendable {
    private var list: [Customer] = []
    private var positions: [String: Int32] = [:]

    public init() {}

    /// The customers of a dictionary, each under its key.
    public init(_ customers: [String: Customer]) {
        list.reserveCapacity(customers.count)
        for (id, customer) in customers.sorted(by: { $0.key < $1.key }) { insert(customer, id: id) }
    }

    /// Adds a customer under `id`, or replaces the one already there.
    public mutating func insert(_ customer: Customer, id: String) {
        if let position = positions[id] {
            list[Int(position)] = customer
        } else {
            positions[id] = Int32(list.count)
            list.append(customer)
        }
    }

    public subscript(id: String) -> Customer? {
        positions[id].map { list[Int($0)] }
    }

    public var count: Int { list.count }

    /// Every customer, in the order they were added.
    public var values: [Customer] { list }
}
