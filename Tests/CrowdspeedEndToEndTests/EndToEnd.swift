import Testing

/// The parent of every end-to-end suite. They start real servers, real `pypy3` sweeps, SIGKILL
/// loops and Chromium; on a 2-core machine running them side by side makes each one's timeouts
/// meaningless, so they run one at a time (`.serialized` applies to nested suites too) while the
/// fast unit suites still run in parallel beside them.
@Suite("End to end", .serialized)
enum EndToEnd {}
