import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenLocking
import KeyhavenStorage

/// Token-bucket rate limiting over a `RateLimitStore`; refusals become 429 with `Retry-After`.
struct RateLimiter: Sendable {
    let store: any RateLimitStore

    /// Takes one token (or `cost`); throws 429 when the bucket is empty.
    func take(_ cost: Int = 1, from key: String, rule: TokenBucketRule, now: Date = Date()) throws {
        if case .limited(let retryAfter) = try store.take(cost, from: key, rule: rule, nowMilliseconds: Self.milliseconds(now)) {
            throw HTTPError.tooManyRequests(retryAfterSeconds: retryAfter)
        }
    }

    /// Gives a token back (a login that turned out to be right).
    func giveBack(_ key: String, rule: TokenBucketRule, now: Date = Date()) throws {
        _ = try store.take(-1, from: key, rule: rule, nowMilliseconds: Self.milliseconds(now))
    }

    /// A bucket key for an account that does not reveal the address in the store.
    static func accountKey(_ purpose: String, emailKey: String) -> String {
        "\(purpose):acct:" + SHA256.hexHash(Array(emailKey.utf8)).prefix(32)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }
}

/// Buckets in memory, for one server on SQLite.
final class MemoryRateLimitStore: RateLimitStore {
    private struct Level {
        var tokensMilli: Int64
        var updatedAtMilliseconds: Int64
    }

    private let buckets = Locked<[String: Level]>([:])
    private static let pruneThreshold = 100_000

    func take(_ cost: Int, from key: String, rule: TokenBucketRule, nowMilliseconds: Int64) throws -> RateLimitDecision {
        buckets.withLock { buckets in
            if buckets.count > Self.pruneThreshold {
                // Buckets idle for an hour are full again by any rule we use: forget them.
                buckets = buckets.filter { nowMilliseconds - $0.value.updatedAtMilliseconds < 3_600_000 }
            }
            let current = buckets[key].map { ($0.tokensMilli, $0.updatedAtMilliseconds) }
            let (tokens, decision) = TokenBucket.take(cost, level: current, rule: rule, nowMilliseconds: nowMilliseconds)
            buckets[key] = Level(tokensMilli: tokens, updatedAtMilliseconds: nowMilliseconds)
            return decision
        }
    }
}
