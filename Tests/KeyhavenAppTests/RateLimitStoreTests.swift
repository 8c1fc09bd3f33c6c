import Foundation
import KeyhavenLocking
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

/// Both rate-limit stores must behave identically.
struct RateLimitStoreTests {
    enum StoreKind: String, CaseIterable, CustomStringConvertible {
        case memory, sqlite, postgres
        var description: String { rawValue }
    }

    static var kinds: [StoreKind] { [.memory, .sqlite] + (TestDatabase.backends.contains(.postgres) ? [.postgres] : []) }

    func withStore(_ kind: StoreKind, _ body: (any RateLimitStore) throws -> Void) throws {
        switch kind {
        case .memory:
            try body(MemoryRateLimitStore())
        case .sqlite, .postgres:
            let test = try TestDatabase.make(kind == .sqlite ? .sqlite : .postgres)
            defer { test.drop() }
            try body(SQLRateLimitStore(database: test.database))
        }
    }

    @Test(arguments: kinds)
    func bucketEmptiesRefillsAndReportsRetryAfter(_ kind: StoreKind) throws {
        try withStore(kind) { store in
            let rule = TokenBucketRule(capacity: 2, refillPerMinute: 6)  // one token every 10 s
            let start: Int64 = 1_000_000
            #expect(try store.take(1, from: "k", rule: rule, nowMilliseconds: start) == .allowed)
            #expect(try store.take(1, from: "k", rule: rule, nowMilliseconds: start) == .allowed)
            #expect(try store.take(1, from: "k", rule: rule, nowMilliseconds: start) == .limited(retryAfterSeconds: 10))
            #expect(try store.take(1, from: "k", rule: rule, nowMilliseconds: start + 4_000) == .limited(retryAfterSeconds: 6))
            #expect(try store.take(1, from: "k", rule: rule, nowMilliseconds: start + 10_000) == .allowed)
            // Other keys are independent.
            #expect(try store.take(2, from: "other", rule: rule, nowMilliseconds: start) == .allowed)
            // Giving back never overfills.
            for _ in 0..<5 { _ = try store.take(-1, from: "full", rule: rule, nowMilliseconds: start) }
            #expect(try store.take(2, from: "full", rule: rule, nowMilliseconds: start) == .allowed)
            #expect(try store.take(1, from: "full", rule: rule, nowMilliseconds: start) != .allowed)
        }
    }

    @Test(arguments: kinds)
    func concurrentTakersNeverOverdraw(_ kind: StoreKind) throws {
        try withStore(kind) { store in
            let rule = TokenBucketRule(capacity: 10, refillPerMinute: 1)
            let allowed = Locked<[Bool]>([])
            DispatchQueue.concurrentPerform(iterations: 30) { _ in
                let granted = (try? store.take(1, from: "shared", rule: rule, nowMilliseconds: 5_000)) == .allowed
                allowed.withLock { $0.append(granted) }
            }
            #expect(allowed.value.filter { $0 }.count == 10)
        }
    }
}
