import Foundation

/// One page of the machines table and how many rows matched the filter.
public struct MachineTablePage: Sendable, Equatable {
    public var rows: [MachineTableRow]
    /// Rows matching the filter, over all pages.
    public var matching: Int

    public init(rows: [MachineTableRow], matching: Int) {
        self.rows = rows
        self.matching = matching
    }
}
