import Dispatch
import Glibc
import KeyhavenLocking
import Synchronization

/// Counts for one scan, as `keyhaven scan --format json` prints them.
public struct ScanStats: Sendable, Codable, Equatable {
    public var files = 0
    public var bytes = 0
    public var seconds = 0.0
    public var skippedBinary = 0
    public var skippedTooLarge = 0
    public var skippedIgnored = 0
    public var errors = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case files, bytes, seconds, errors
        case skippedBinary = "skipped_binary"
        case skippedTooLarge = "skipped_too_large"
        case skippedIgnored = "skipped_ignored"
    }

    mutating func add(_ other: ScanStats) {
        files += other.files
        bytes += other.bytes
        skippedBinary += other.skippedBinary
        skippedTooLarge += other.skippedTooLarge
        skippedIgnored += other.skippedIgnored
        errors += other.errors
    }
}

/// A problem with one file that did not stop the scan (unreadable, not UTF-8, vanished).
public struct FileProblem: Sendable, Codable, Equatable {
    public var path: String
    public var message: String
    /// Whether the file could not be scanned at all (`false`: scanned, with a warning).
    public var skipped: Bool
}

public struct ScanReport: Sendable {
    public var findings: [Finding]
    public var stats: ScanStats
    public var problems: [FileProblem]
}

public struct LocalScanOptions: Sendable {
    /// Files larger than this are skipped and counted.
    public var maximumFileSize = 50 * 1024 * 1024
    /// Worker threads; defaults to one per core.
    public var threads = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    /// Extra ignore entries (from the command line) on top of each root's `.keyhavenignore`.
    public var ignore = IgnoreList()

    public init() {}
}

/// Scans files and directory trees on disk with a ``SecretScanner``, on all cores.
///
/// Directories are walked without following symbolic links (a link is neither followed nor
/// scanned, so a tree cannot loop or lead outside itself); `.git`, `.hg` and `.svn` are skipped.
/// Small files are read into a reused buffer, large ones mapped; binary files (a NUL byte in the
/// first 8 KiB) and files over the size limit are skipped and counted.
public final class LocalScan: Sendable {
    public struct RootError: Error, CustomStringConvertible {
        public let description: String
    }

    let rules: RuleSet
    let fingerprintKey: [UInt8]
    let options: LocalScanOptions

    public init(rules: RuleSet, fingerprintKey: [UInt8], options: LocalScanOptions = LocalScanOptions()) {
        self.rules = rules
        self.fingerprintKey = fingerprintKey
        self.options = options
    }

    static let skippedDirectories: Set<String> = [".git", ".hg", ".svn"]
    static let smallFileLimit = 4 * 1024 * 1024

    struct Job {
        let path: String
    }

    /// Scans `paths` (files or directories). Throws only when a path given cannot be scanned at
    /// all; problems with single files inside a tree are reported in the result.
    public func run(paths: [String], progress: (@Sendable (ScanStats) -> Void)? = nil) throws -> ScanReport {
        let started = monotonicSeconds()
        var ignore = options.ignore
        var jobs: [Job] = []
        var stats = ScanStats()
        var problems: [FileProblem] = []
        for root in paths {
            var info = stat()
            guard stat(root, &info) == 0 else {
                throw RootError(description: "\(root): \(String(cString: strerror(errno)))")
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                var rootIgnore = ignore
                if let text = readSmallFile(joined(root, ".keyhavenignore")) {
                    rootIgnore.merge(IgnoreList(parsing: text))
                    ignore.fingerprints.formUnion(rootIgnore.fingerprints)
                }
                walk(root: root, relative: "", ignore: rootIgnore, into: &jobs, stats: &stats, problems: &problems)
            } else {
                jobs.append(Job(path: root))
            }
        }

        let scanner = SecretScanner(ruleSet: rules, fingerprintKey: fingerprintKey, ignoredFingerprints: ignore.fingerprints)
        let next = Atomic<Int>(0)
        let shared = Locked((findings: [Finding](), stats: stats, problems: problems))
        let workers = max(1, min(options.threads, jobs.count))
        let done = DispatchSemaphore(value: 0)
        let jobList = jobs
        let maximumFileSize = options.maximumFileSize
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let workspace = scanner.makeWorkspace()
                let buffer = FileBuffer()
                var local = (findings: [Finding](), stats: ScanStats(), problems: [FileProblem]())
                var sinceFlush = 0
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < jobList.count else { break }
                    Self.scanFile(
                        jobList[index].path, scanner: scanner, workspace: workspace, buffer: buffer,
                        maximumFileSize: maximumFileSize, into: &local)
                    sinceFlush += 1
                    if sinceFlush >= 64 {
                        shared.withLock { $0.stats.add(local.stats) }
                        local.stats = ScanStats()
                        sinceFlush = 0
                    }
                }
                shared.withLock {
                    $0.findings += local.findings
                    $0.stats.add(local.stats)
                    $0.problems += local.problems
                }
            }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
            if let progress { progress(shared.withLock { $0.stats }) }
        }
        var result = shared.withLock { $0 }
        result.findings.sort { ($0.path, $0.line, $0.column, $0.ruleID) < ($1.path, $1.line, $1.column, $1.ruleID) }
        result.problems.sort { $0.path < $1.path }
        result.stats.seconds = monotonicSeconds() - started
        return ScanReport(findings: result.findings, stats: result.stats, problems: result.problems)
    }

    private func walk(
        root: String, relative: String, ignore: IgnoreList, into jobs: inout [Job], stats: inout ScanStats,
        problems: inout [FileProblem]
    ) {
        let directory = relative.isEmpty ? root : joined(root, relative)
        guard let handle = opendir(directory) else {
            problems.append(FileProblem(path: directory, message: String(cString: strerror(errno)), skipped: true))
            stats.errors += 1
            return
        }
        defer { closedir(handle) }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            entries.append((name, entry.pointee.d_type))
        }
        entries.sort { $0.name < $1.name }
        for (name, type) in entries {
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            var kind = type
            if kind == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard lstat(joined(root, relativePath), &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: kind = UInt8(DT_DIR)
                case S_IFREG: kind = UInt8(DT_REG)
                default: kind = UInt8(DT_LNK)
                }
            }
            if kind == UInt8(DT_DIR) {
                if Self.skippedDirectories.contains(name) { continue }
                if ignore.ignores(relativePath: relativePath, isDirectory: true) {
                    stats.skippedIgnored += 1
                    continue
                }
                walk(root: root, relative: relativePath, ignore: ignore, into: &jobs, stats: &stats, problems: &problems)
            } else if kind == UInt8(DT_REG) {
                if name == ".keyhavenignore" { continue }
                if ignore.ignores(relativePath: relativePath) {
                    stats.skippedIgnored += 1
                    continue
                }
                jobs.append(Job(path: joined(root, relativePath)))
            }
        }
    }

    private static func scanFile(
        _ path: String, scanner: SecretScanner, workspace: ScanWorkspace, buffer: FileBuffer,
        maximumFileSize: Int, into local: inout (findings: [Finding], stats: ScanStats, problems: [FileProblem])
    ) {
        func problem(_ message: String, skipped: Bool = true) {
            local.problems.append(FileProblem(path: path, message: message, skipped: skipped))
            local.stats.errors += 1
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { return problem(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return problem(String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return problem("not a regular file") }
        let size = Int(info.st_size)
        if size > maximumFileSize {
            local.stats.skippedTooLarge += 1
            return
        }
        func scanBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
            let head = UnsafeBufferPointer(rebasing: bytes.prefix(8192))
            if head.contains(0) {
                local.stats.skippedBinary += 1
                return
            }
            local.stats.files += 1
            local.stats.bytes += bytes.count
            if !isValidUTF8(bytes) { problem("not valid UTF-8; scanned as bytes", skipped: false) }
            let traits = FileTraits(path: path, prefix: head)
            local.findings += scanner.scan(bytes, path: path, traits: traits, workspace: workspace)
        }
        if size == 0 {
            local.stats.files += 1
        } else if size <= smallFileLimit {
            guard let count = buffer.read(descriptor, expected: size) else {
                return problem(String(cString: strerror(errno)))
            }
            buffer.withBytes(count) { scanBytes($0) }
        } else {
            guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
                return problem(String(cString: strerror(errno)))
            }
            defer { munmap(mapped, size) }
            madvise(mapped, size, MADV_SEQUENTIAL)
            scanBytes(UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: size))
        }
    }
}

/// A read buffer reused across files by one worker.
final class FileBuffer {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0

    deinit { storage?.deallocate() }

    /// Reads the whole file (up to `expected` bytes plus whatever it grew by); nil on error.
    func read(_ descriptor: Int32, expected: Int) -> Int? {
        if capacity < expected + 1 {
            storage?.deallocate()
            capacity = max(expected + 1, 64 * 1024)
            storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        }
        var total = 0
        while total < capacity {
            let got = Glibc.read(descriptor, storage! + total, capacity - total)
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { break }
            total += got
        }
        return total
    }

    func withBytes(_ count: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let storage else { return }
        body(UnsafeBufferPointer(start: storage.assumingMemoryBound(to: UInt8.self), count: count))
    }
}

func joined(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

func readSmallFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 1 << 20 {
        let got = fread(&chunk, 1, chunk.count, file)
        if got <= 0 { break }
        bytes += chunk.prefix(got)
    }
    return String(decoding: bytes, as: UTF8.self)
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// UTF-8 validity, eight ASCII bytes at a time.
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let count = bytes.count
    var index = 0
    while index < count {
        if index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
        }
        let lead = base[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        let length: Int
        let minimum: UInt32
        switch lead {
        case 0xC2...0xDF: (length, minimum) = (2, 0x80)
        case 0xE0...0xEF: (length, minimum) = (3, 0x800)
        case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
        default: return false
        }
        guard index + length <= count else { return false }
        var scalar = UInt32(lead) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let byte = base[index + offset]
            guard byte & 0xC0 == 0x80 else { return false }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return false }
        index += length
    }
    return true
}
