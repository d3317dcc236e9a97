import Foundation

/// What the machines table shows: a text filter, a sort column and a page.
public struct MachineTableQuery: Sendable, Equatable {
    /// The columns the table sorts by; raw values are the `sort=` query values.
    public enum SortKey: String, Sendable, CaseIterable {
        case vendor, model, l2, l3, cores, runs, best, gain, seen
    }

    /// Case-insensitive substring of vendor, model or architecture; nil or empty for all.
    public var filter: String?
    public var sort: SortKey
    public var descending: Bool
    public var limit: Int
    public var offset: Int

    public init(
        filter: String? = nil, sort: SortKey = .seen, descending: Bool = true, limit: Int = 100, offset: Int = 0
    ) {
        self.filter = filter
        self.sort = sort
        self.descending = descending
        self.limit = limit
        self.offset = offset
    }
}
