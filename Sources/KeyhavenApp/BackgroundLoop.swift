import Foundation

/// A named background thread that runs `work` every `interval`, and at once when woken;
/// `stop()` ends it after the current round. The outbox, the scan worker and the password
/// health digest each run on one.
final class BackgroundLoop: @unchecked Sendable {
    private let name: String
    private let interval: TimeInterval
    private let work: @Sendable () -> Void
    // `running` and `woken` are guarded by `condition`.
    private let condition = NSCondition()
    private var running = false
    private var woken = false

    init(name: String, interval: TimeInterval, work: @escaping @Sendable () -> Void) {
        self.name = name
        self.interval = interval
        self.work = work
    }

    func start() {
        condition.lock()
        guard !running else {
            condition.unlock()
            return
        }
        running = true
        condition.unlock()
        let thread = Thread { [self] in
            while true {
                condition.lock()
                if !woken { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
                woken = false
                let keepGoing = running
                condition.unlock()
                guard keepGoing else { return }
                work()
            }
        }
        thread.name = name
        thread.start()
    }

    func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        running = false
        condition.signal()
        condition.unlock()
    }
}
