import Foundation

/// A value shared between threads, behind a lock: the one lock box of the product and the tests.
///
/// Built on `NSLock` (a pthread mutex) rather than the standard library's `Mutex`: on Linux
/// `Mutex` locks with futex calls inside the prebuilt standard library, which ThreadSanitizer
/// cannot see, so `make check` reported correctly locked state as racing (reproduced with a
/// program of a dozen lines: eight threads updating a `Mutex`-guarded dictionary). A pthread
/// mutex is intercepted, so the sanitizer checks this state instead of crying wolf.
public final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    public init(_ value: Value) { stored = value }

    public var value: Value {
        get { withLock { $0 } }
        set { withLock { $0 = newValue } }
    }

    @discardableResult
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&stored)
    }
}
