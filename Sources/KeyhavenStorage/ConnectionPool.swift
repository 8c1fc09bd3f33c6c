import Foundation

/// A fixed-capacity pool: connections are made lazily, handed to one caller at a time, and a
/// caller waits (up to `timeout`) when all are busy.
final class ConnectionPool<Connection>: @unchecked Sendable {
    // All mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var idle: [Connection] = []
    private var created = 0
    private var closed = false
    let capacity: Int
    private let timeout: TimeInterval
    private let makeConnection: () throws -> Connection
    private let closeConnection: (Connection) -> Void

    init(
        capacity: Int, timeout: TimeInterval = 10, makeConnection: @escaping () throws -> Connection,
        closeConnection: @escaping (Connection) -> Void
    ) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.timeout = timeout
        self.makeConnection = makeConnection
        self.closeConnection = closeConnection
    }

    /// Lends a connection to `body`. If `body` reports the connection broken (`discard`), it is
    /// closed instead of returned, and a fresh one is made on demand.
    func withConnection<Result>(_ body: (Connection, _ discard: inout Bool) throws -> Result) throws -> Result {
        let connection = try checkOut()
        var discard = false
        defer { checkIn(connection, discard: discard) }
        return try body(connection, &discard)
    }

    /// Opens every connection now (cheap ones: SQLite readers), so the pool's file descriptors
    /// are all open from the start rather than appearing under load.
    func fill() throws {
        condition.lock()
        let missing = capacity - created
        created = capacity
        condition.unlock()
        var made: [Connection] = []
        do {
            for _ in 0..<missing { made.append(try makeConnection()) }
        } catch {
            condition.lock()
            created -= missing - made.count
            idle += made
            condition.unlock()
            throw error
        }
        condition.lock()
        idle += made
        condition.broadcast()
        condition.unlock()
    }

    var statistics: PoolStatistics {
        condition.lock()
        defer { condition.unlock() }
        return PoolStatistics(inUse: created - idle.count, idle: idle.count, capacity: capacity)
    }

    func close() {
        condition.lock()
        closed = true
        let connections = idle
        idle = []
        created -= connections.count
        condition.broadcast()
        condition.unlock()
        connections.forEach(closeConnection)
    }

    private func checkOut() throws -> Connection {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw DatabaseError.unavailable("the database has been closed")
            }
            if let connection = idle.popLast() {
                condition.unlock()
                return connection
            }
            if created < capacity {
                created += 1
                condition.unlock()
                do {
                    return try makeConnection()
                } catch {
                    condition.lock()
                    created -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            if !condition.wait(until: deadline) {
                condition.unlock()
                throw DatabaseError.poolExhausted
            }
        }
    }

    private func checkIn(_ connection: Connection, discard: Bool) {
        condition.lock()
        if discard || closed {
            created -= 1
            condition.signal()
            condition.unlock()
            closeConnection(connection)
            return
        }
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }
}
