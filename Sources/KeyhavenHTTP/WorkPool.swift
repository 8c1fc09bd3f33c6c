import CMicroHTTPD
import Foundation

/// A fixed set of threads for CPU-heavy request handlers (bcrypt, Argon2id), so that a flood of
/// logins queues here instead of occupying the server's connection threads. The queue is
/// bounded: past `queueLimit` waiting jobs, `submit` refuses and the caller answers 503.
public final class WorkPool: @unchecked Sendable {
    // `jobs` and `stopped` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false
    public let threadCount: Int
    public let queueLimit: Int

    /// `niceness` lowers the threads' scheduling priority (Linux per-thread nice), so cheap
    /// requests on the server threads get the CPU first when both compete.
    public init(threadCount: Int, queueLimit: Int = 256, niceness: Int32 = 19, name: String = "keyhaven-cpu") {
        self.threadCount = max(1, threadCount)
        self.queueLimit = queueLimit
        for index in 0..<self.threadCount {
            let thread = Thread { [self] in
                _ = keyhaven_set_thread_niceness(niceness)
                run()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Queues `job`; returns false (and does not run it) when the queue is full or stopped.
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped, jobs.count < queueLimit else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Jobs waiting for a thread (for metrics).
    public var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
    }

    /// Lets queued jobs finish, then ends the threads.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
