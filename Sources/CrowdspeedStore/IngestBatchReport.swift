/// One committed ingest transaction, for the operator's metrics: how many submissions it held
/// and how long it held the writer (from taking the write lock to the commit's return).
public struct IngestBatchReport: Sendable, Equatable {
    public var submissions: Int
    public var writerNanoseconds: Int64

    public init(submissions: Int, writerNanoseconds: Int64) {
        self.submissions = submissions
        self.writerNanoseconds = writerNanoseconds
    }
}

/// Told about every committed ingest transaction; called on the writer's task, so it must be
/// quick (a metric update).
public typealias IngestBatchObserver = @Sendable (IngestBatchReport) -> Void
