import Foundation
import KeyhavenLocking
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

/// Scan jobs are claimed atomically: two servers (two connection pools on one database) racing
/// for the same queue run every job exactly once, and a job whose worker died is claimed again
/// after its lease runs out.
struct ScanJobStoreTests {
    static func user(_ database: any Database) throws -> UserID {
        let id = UserID.generate()
        try SQLUserRepository(database: database).create(
            User(id: id, email: "\(id.rawValue)@example.com", passwordHash: "x", createdAt: Date(), updatedAt: Date()))
        return id
    }

    @Test(arguments: TestDatabase.backends)
    func twoServersNeverClaimTheSameJob(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        let second = try test.location.open()
        defer { second.close() }
        let userID = try Self.user(test.database)
        let first = SQLGitHubRepository(database: test.database)
        let other = SQLGitHubRepository(database: second)
        let ids = (0..<40).map { "job-\($0)" }
        for (index, id) in ids.enumerated() {
            try first.createJob(
                ScanJob(id: id, userID: userID, repositories: ["o/r"], createdAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(index))))
        }
        let claimed = Locked([String]())
        let group = DispatchGroup()
        for repository in [first, other, first, other] {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while let job = try? repository.claimJob(now: Date(), lease: 600) {
                    claimed.withLock { $0.append(job.id) }
                    try? repository.finishJob(
                        id: job.id, status: .completed, progress: "{}", newFindings: 0, errorCode: nil, errorMessage: nil, at: Date())
                }
            }
        }
        group.wait()
        let all = claimed.withLock { $0 }
        #expect(all.count == ids.count, "claimed \(all.count) times for \(ids.count) jobs")
        #expect(Set(all) == Set(ids))
        #expect(try first.claimJob(now: Date(), lease: 600) == nil)
    }

    @Test(arguments: TestDatabase.backends)
    func aDeadWorkersJobIsClaimedAgainAfterItsLease(_ backend: DatabaseBackend) throws {
        let test = try TestDatabase.make(backend)
        defer { test.drop() }
        let repository = SQLGitHubRepository(database: test.database)
        let userID = try Self.user(test.database)
        try repository.createJob(ScanJob(id: "j1", userID: userID, repositories: ["o/r"], createdAt: Date()))
        let now = Date()
        let claimed = try #require(try repository.claimJob(now: now, lease: 120))
        #expect(claimed.status == .running && claimed.attempts == 1)
        // The worker dies here. While the lease holds, nobody else takes the job.
        #expect(try repository.claimJob(now: now.addingTimeInterval(60), lease: 120) == nil)
        let again = try #require(try repository.claimJob(now: now.addingTimeInterval(121), lease: 120))
        #expect(again.id == "j1" && again.attempts == 2)
        // The second worker finishes it; a late progress update (from the first) then changes nothing.
        try repository.finishJob(id: "j1", status: .completed, progress: "{}", newFindings: 0, errorCode: nil, errorMessage: nil, at: Date())
        #expect(try repository.job(id: "j1", userID: userID)?.status == .completed)
        #expect(try repository.updateJob(id: "j1", progress: "{}", newFindings: 0, leaseUntil: Date()) == false)
    }
}
