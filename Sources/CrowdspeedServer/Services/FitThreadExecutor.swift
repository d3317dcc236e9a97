import Foundation

/// A task executor on one dedicated OS thread, for the CPU-heavy fit.
///
/// Why: a refit of 100k machines computes for seconds without a suspension point. On Swift's
/// cooperative pool (one thread per CPU: two here) that would take away half of the server's
/// request-handling threads for the whole fit. Run under `withTaskExecutorPreference` with this
/// executor, the refit's nonisolated code — the fit itself included — runs on this thread
/// instead, which the OS schedules beside the pool like any other thread; the awaits on the
/// store still hop to GRDB's queues and back. One executor serves one refit: ``stop()`` ends
/// its thread once the queued jobs have run.
final class FitThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `stopped` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    /// Starts the thread, named `name` (shown by `top -H` and profilers).
    init(name: String) {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once every queued job has run.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    /// Runs jobs in arrival order until stopped and drained.
    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
