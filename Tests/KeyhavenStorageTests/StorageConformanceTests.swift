import Foundation
import KeyhavenLocking
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

/// The suite every storage backend must pass. Each test runs once per available backend;
/// under `make test` that is SQLite and PostgreSQL.
struct StorageConformanceTests {
    @Test func postgresIsAvailableWhenRequired() {
        if TestDatabase.postgresRequired {
            #expect(TestDatabase.backends.contains(.postgres), "make test must run the PostgreSQL suite")
        }
    }

    @Test(arguments: TestDatabase.backends)
    func migrationsApplyOnceAndRecordVersions(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend, migrate: false)
        defer { test.drop() }
        let first = try Migrator.migrate(test.database)
        #expect(first.map(\.version) == Migrator.migrations(for: backend).map(\.version))
        let second = try Migrator.migrate(test.database)
        #expect(second.isEmpty)
        #expect(try Migrator.appliedVersions(test.database) == first.map(\.version))
    }

    @Test(arguments: TestDatabase.backends)
    func failedMigrationLeavesNoTrace(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        let broken = Migration(version: 9_999, name: "broken", sql: "CREATE TABLE half_done (id TEXT); SELECT * FROM no_such_table;")
        #expect(throws: DatabaseError.self) { try Migrator.migrate(test.database, migrations: [broken]) }
        #expect(!(try Migrator.appliedVersions(test.database).contains(9_999)))
        // The table created before the failure was rolled back with it.
        #expect(throws: DatabaseError.self) { try test.database.read { try $0.query("SELECT * FROM half_done") } }
    }

    @Test(arguments: TestDatabase.backends)
    func usersRoundTripAndEmailIsUnique(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        let users = SQLUserRepository(database: test.database)
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let user = User(id: .generate(), email: "ada@example.com", passwordHash: "$2b$04$hash", createdAt: now, updatedAt: now)
        try users.create(user)
        #expect(try users.find(id: user.id) == user)
        #expect(try users.find(emailKey: "ada@example.com") == user)
        #expect(try users.find(emailKey: "nobody@example.com") == nil)

        let twin = User(id: .generate(), email: "ada@example.com", passwordHash: "x", createdAt: now, updatedAt: now)
        #expect(throws: DatabaseError.uniqueViolation) { try users.create(twin) }

        try users.updatePasswordHash(id: user.id, passwordHash: "$2b$04$new", at: now.addingTimeInterval(60))
        #expect(try users.find(id: user.id)?.passwordHash == "$2b$04$new")
        #expect(try users.delete(id: user.id))
        #expect(try !users.delete(id: user.id))
        #expect(try users.find(id: user.id) == nil)
    }

    @Test(arguments: TestDatabase.backends)
    func writeRollsBackWhenBodyThrows(_ backend: DatabaseBackend) throws {
        struct Abort: Error {}
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        let now = Date()
        #expect(throws: Abort.self) {
            try test.database.write { connection in
                try connection.execute(
                    "INSERT INTO users (id, email, email_key, password_hash, created_at, updated_at) VALUES ($1, $2, $2, $3, $4, $4)",
                    [.text("u1"), .text("x@example.com"), .text("h"), .timestamp(now)])
                throw Abort()
            }
        }
        #expect(try SQLUserRepository(database: test.database).find(id: UserID("u1")) == nil)
    }

    @Test(arguments: TestDatabase.backends)
    func valuesOfEveryTypeRoundTripAndParametersAreNeverInterpolated(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        let blobType = backend == .postgres ? "BYTEA" : "BLOB"
        let hostile = "'); DROP TABLE users; --"
        let bytes: [UInt8] = [0, 1, 2, 0xff, 0x5c, 0x27]
        let row = try test.database.write { connection -> Row in
            try connection.executeScript("CREATE TABLE samples (t TEXT, i BIGINT, b \(blobType), n TEXT)")
            try connection.execute(
                "INSERT INTO samples (t, i, b, n) VALUES ($1, $2, $3, $4)",
                [.text(hostile), .integer(-9_007_199_254_740_993), .blob(bytes), .null])
            return try connection.query(
                "SELECT t, i, b, n FROM samples WHERE t = $1 AND i = $2", [.text(hostile), .integer(-9_007_199_254_740_993)])[0]
        }
        #expect(try row.string("t") == hostile)
        #expect(try row.integer("i") == -9_007_199_254_740_993)
        #expect(try row.bytes("b") == bytes)
        #expect(try row.optionalString("n") == nil)
        #expect(try test.database.read { try $0.query("SELECT COUNT(*) AS c FROM users") }[0].integer("c") == 0)
    }

    @Test(arguments: TestDatabase.backends)
    func concurrentWritersAllCommit(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        let users = SQLUserRepository(database: test.database)
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            let now = Date()
            do {
                try users.create(User(id: .generate(), email: "user\(index)@example.com", passwordHash: "h", createdAt: now, updatedAt: now))
                _ = try users.find(emailKey: "user\(index)@example.com")
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.value == 0)
        #expect(try test.database.read { try $0.query("SELECT COUNT(*) AS c FROM users") }[0].integer("c") == 40)
    }

    @Test(arguments: TestDatabase.backends)
    func singleQueriesSeeCommittedDataAndReturnConnections(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        let now = Date()
        try SQLUserRepository(database: test.database).create(
            User(id: UserID("u1"), email: "q@example.com", passwordHash: "h", createdAt: now, updatedAt: now))
        for _ in 0..<50 {
            let rows = try test.database.query("SELECT id, email FROM users WHERE id = $1", [.text("u1")])
            #expect(try rows.map { try $0.string("email") } == ["q@example.com"])
        }
        #expect(throws: DatabaseError.self) { try test.database.query("SELECT * FROM no_such_table", []) }
        #expect(test.database.poolStatistics.inUse == 0)
    }

    @Test(arguments: TestDatabase.backends)
    func pingAndPoolStatistics(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        try test.database.ping()
        let statistics = test.database.poolStatistics
        #expect(statistics.inUse == 0)
        #expect(statistics.capacity > 0)
    }

    /// The streaming read (SQLite lends its own buffers; PostgreSQL lends copies) returns what
    /// `query` returns, reports NULLs as nil and refuses a column of the wrong type.
    @Test(arguments: TestDatabase.backends)
    func forEachRowLendsTheSameValuesAsQuery(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend, migrate: false)
        defer { test.drop() }
        try test.database.write { connection in
            try connection.execute("CREATE TABLE lent (n BIGINT NOT NULL, t TEXT, b \(backend == .postgres ? "BYTEA" : "BLOB"))")
            try connection.execute("INSERT INTO lent (n, t, b) VALUES ($1, $2, $3)", [.integer(7), .text("seven ✓"), .blob([0, 1, 255])])
            try connection.execute("INSERT INTO lent (n, t, b) VALUES ($1, $2, $3)", [.integer(-8), .null, .blob([])])
        }
        var seen: [(Int64, String?, [UInt8]?)] = []
        var nulls: [Bool] = []
        try test.database.forEachRow("SELECT n, t, b FROM lent WHERE n > $1 ORDER BY n DESC", [.integer(-100)]) { row in
            seen.append((try row.integer(0), try row.text(1).map { String(decoding: $0, as: UTF8.self) }, try row.blob(2).map { Array($0) }))
            nulls.append(try row.isNull(1))
        }
        #expect(nulls == [false, true])
        #expect(seen.count == 2)
        #expect(seen[0].0 == 7 && seen[0].1 == "seven ✓" && seen[0].2 == [0, 1, 255])
        #expect(seen[1].0 == -8 && seen[1].1 == nil && seen[1].2 == [])
        #expect(throws: DatabaseError.self) {
            try test.database.forEachRow("SELECT n, t, b FROM lent", []) { row in _ = try row.blob(0) }
        }
        #expect(throws: DatabaseError.self) {
            try test.database.forEachRow("SELECT n FROM lent", []) { row in _ = try row.integer(1) }
        }
    }

    /// On SQLite every read inside `withReadSnapshot` (query, read, forEachRow, a nested snapshot)
    /// sees the state from its first read, even after a commit from elsewhere; PostgreSQL runs
    /// the body as is. Either way the reader goes back to the pool and errors pass through.
    @Test(arguments: TestDatabase.backends)
    func readSnapshotHoldsOneViewAcrossStatements(_ backend: DatabaseBackend) throws {
        struct Stop: Error {}
        let test = try TestDatabase.make(backend, migrate: false)
        defer { test.drop() }
        let database = test.database
        try database.write { try $0.execute("CREATE TABLE seen (n BIGINT NOT NULL)") }
        try database.write { try $0.execute("INSERT INTO seen (n) VALUES (1)") }
        func count() throws -> Int64 { try database.query("SELECT COUNT(*) AS c FROM seen", [])[0].integer("c") }
        try database.withReadSnapshot {
            #expect(try count() == 1)
            try database.write { try $0.execute("INSERT INTO seen (n) VALUES (2)") }
            let expected: Int64 = backend == .sqlite ? 1 : 2
            #expect(try count() == expected)
            #expect(try database.read { try $0.query("SELECT COUNT(*) AS c FROM seen")[0].integer("c") } == expected)
            var streamed: Int64 = 0
            try database.forEachRow("SELECT n FROM seen", []) { _ in streamed += 1 }
            #expect(streamed == expected)
            #expect(try database.withReadSnapshot { try count() } == expected)
        }
        #expect(try count() == 2)
        #expect(throws: Stop.self) { try database.withReadSnapshot { throw Stop() } }
        #expect(database.poolStatistics.inUse == 0)
        #expect(try count() == 2)
    }

    @Test func unreachablePostgresIsReportedAsUnavailable() {
        let database = PostgresDatabase(url: "postgres://keyhaven@127.0.0.1:1/none?connect_timeout=2", poolSize: 1)
        defer { database.close() }
        #expect {
            try database.ping()
        } throws: { error in
            guard case DatabaseError.unavailable = error else { return false }
            return true
        }
    }

    @Test func databaseURLParsingAndRedaction() throws {
        #expect(try DatabaseLocation(url: "sqlite:///var/lib/keyhaven/k.db") == .sqlite(path: "/var/lib/keyhaven/k.db"))
        #expect(try DatabaseLocation(url: "sqlite://data/k.db") == .sqlite(path: "data/k.db"))
        let postgres = try DatabaseLocation(url: "postgres://kh:s3cret@db:5432/kh")
        #expect(postgres.description == "postgres://kh:***@db:5432/kh")
        #expect(!postgres.description.contains("s3cret"))
        #expect(throws: DatabaseError.self) { try DatabaseLocation(url: "mysql://x") }
        #expect(throws: DatabaseError.self) { try DatabaseLocation(url: "sqlite://") }
    }
}
