/// A token bucket's parameters: `capacity` tokens, refilled at `refillPerMinute`.
public struct TokenBucketRule: Sendable, Equatable {
    public var capacity: Int
    public var refillPerMinute: Int

    public init(capacity: Int, refillPerMinute: Int) {
        precondition(capacity > 0 && refillPerMinute > 0)
        self.capacity = capacity
        self.refillPerMinute = refillPerMinute
    }
}

/// The outcome of taking tokens from a bucket.
public enum RateLimitDecision: Sendable, Equatable {
    case allowed
    /// Refused; a token will be available in this many seconds (at least 1).
    case limited(retryAfterSeconds: Int)
}

/// Where token buckets live: in memory for one server, in the database when several share it.
public protocol RateLimitStore: Sendable {
    /// Takes `cost` tokens from the bucket `key` if it holds them (a negative cost returns tokens,
    /// never past capacity). Atomic per key.
    func take(_ cost: Int, from key: String, rule: TokenBucketRule, nowMilliseconds: Int64) throws -> RateLimitDecision
}

/// The bucket arithmetic both stores share, in thousandths of a token and milliseconds.
public enum TokenBucket {
    /// Returns the new level and the decision, given the stored level (nil for a new bucket).
    public static func take(
        _ cost: Int, level: (tokensMilli: Int64, updatedAtMilliseconds: Int64)?, rule: TokenBucketRule, nowMilliseconds: Int64
    ) -> (tokensMilli: Int64, decision: RateLimitDecision) {
        let capacityMilli = Int64(rule.capacity) * 1000
        var tokens = capacityMilli
        if let level {
            let elapsed = max(0, nowMilliseconds - level.updatedAtMilliseconds)
            // refillPerMinute tokens per 60 000 ms = refillPerMinute thousandths per 60 ms.
            tokens = min(capacityMilli, level.tokensMilli + elapsed * Int64(rule.refillPerMinute) / 60)
        }
        let costMilli = Int64(cost) * 1000
        if costMilli <= tokens {
            return (min(capacityMilli, tokens - costMilli), .allowed)
        }
        let missing = costMilli - tokens
        let waitMilliseconds = (missing * 60 + Int64(rule.refillPerMinute) - 1) / Int64(rule.refillPerMinute)
        return (tokens, .limited(retryAfterSeconds: max(1, Int((waitMilliseconds + 999) / 1000))))
    }
}

/// Buckets in the `rate_limits` table, shared by every server on the same database.
public struct SQLRateLimitStore: RateLimitStore {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func take(_ cost: Int, from key: String, rule: TokenBucketRule, nowMilliseconds: Int64) throws -> RateLimitDecision {
        try database.write { connection in
            // Make sure the row exists, then lock it (PostgreSQL; SQLite has one writer anyway).
            try connection.execute(
                "INSERT INTO rate_limits (key, tokens_milli, updated_at_ms) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
                [.text(key), .integer(Int64(rule.capacity) * 1000), .integer(nowMilliseconds)])
            let lock = database.backend == .postgres ? " FOR UPDATE" : ""
            let row = try connection.query("SELECT tokens_milli, updated_at_ms FROM rate_limits WHERE key = $1\(lock)", [.text(key)])[0]
            let (tokens, decision) = TokenBucket.take(
                cost, level: (try row.integer("tokens_milli"), try row.integer("updated_at_ms")), rule: rule, nowMilliseconds: nowMilliseconds)
            try connection.execute(
                "UPDATE rate_limits SET tokens_milli = $2, updated_at_ms = $3 WHERE key = $1",
                [.text(key), .integer(tokens), .integer(nowMilliseconds)])
            // Now and then, forget buckets idle for a day (full again by any rule we use), so
            // per-address rows do not pile up.
            if Int.random(in: 0..<1000) == 0 {
                try connection.execute("DELETE FROM rate_limits WHERE updated_at_ms < $1", [.integer(nowMilliseconds - 86_400_000)])
            }
            return decision
        }
    }
}
