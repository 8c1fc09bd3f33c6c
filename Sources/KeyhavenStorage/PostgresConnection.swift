import CPostgres
import Foundation

/// One libpq connection. Not thread-safe: the pool hands it to one thread at a time.
final class PostgresConnection: DatabaseConnection, @unchecked Sendable {
    private let handle: OpaquePointer

    /// `url` is a libpq connection URI (`postgres://user:pass@host:port/db`).
    init(url: String) throws {
        guard let handle = PQconnectdb(url) else { throw DatabaseError.unavailable("libpq could not allocate a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            // libpq's message names host and port, never the password.
            let reason = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw DatabaseError.unavailable("cannot connect to PostgreSQL: \(reason)")
        }
        self.handle = handle
        try executeScript("SET client_min_messages = warning; SET TIME ZONE 'UTC';")
    }

    deinit { PQfinish(handle) }

    /// False once the server has gone away; the pool then discards the connection.
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    func executeScript(_ sql: String) throws {
        guard let result = PQexec(handle, sql) else { throw failure(nil) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result) }
    }

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        try run(sql, parameters) { result in Int(String(cString: PQcmdTuples(result))) ?? 0 }
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        try run(sql, parameters) { result in
            let names = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
            let types = (0..<PQnfields(result)).map { PQftype(result, $0) }
            return (0..<PQntuples(result)).map { row in
                Row(names: names, columns: types.enumerated().map { Self.value(result, row: row, column: Int32($0.offset), type: $0.element) })
            }
        }
    }

    /// Binds text as text and blobs in binary format, so bytes cross without escaping.
    private func run<Result>(_ sql: String, _ parameters: [SQLValue], _ read: (OpaquePointer) -> Result) throws -> Result {
        var buffers: [UnsafeMutableRawPointer?] = []
        defer { buffers.forEach { free($0) } }
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                buffers.append(nil)
                lengths.append(0)
                formats.append(0)
            case .integer(let value):
                buffers.append(UnsafeMutableRawPointer(strdup(String(value))))
                lengths.append(0)
                formats.append(0)
            case .text(let value):
                buffers.append(UnsafeMutableRawPointer(strdup(value)))
                lengths.append(0)
                formats.append(0)
            case .blob(let bytes):
                let buffer = malloc(max(1, bytes.count))!
                bytes.withUnsafeBytes { if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) } }
                buffers.append(buffer)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        let values = buffers.map { UnsafePointer<CChar>($0?.assumingMemoryBound(to: CChar.self)) }
        guard let result = PQexecParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0) else {
            throw failure(nil)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result) }
        return read(result)
    }

    private static func value(_ result: OpaquePointer, row: Int32, column: Int32, type: Oid) -> SQLValue {
        if PQgetisnull(result, row, column) == 1 { return .null }
        let text = String(cString: PQgetvalue(result, row, column))
        switch type {
        case 20, 21, 23:  // int8, int2, int4
            return Int64(text).map(SQLValue.integer) ?? .text(text)
        case 16:  // bool
            return .integer(text == "t" ? 1 : 0)
        case 17:  // bytea, hex output: \x0a0b…
            return .blob([UInt8](hexDigits: text.dropFirst(2)) ?? [])
        default:
            return .text(text)
        }
    }

    private func failure(_ result: OpaquePointer?) -> DatabaseError {
        if let result, let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) {
            switch String(cString: state) {
            case "23505": return .uniqueViolation
            case "23503": return .foreignKeyViolation
            default: break
            }
        }
        let message = result.map { String(cString: PQresultErrorMessage($0)) } ?? String(cString: PQerrorMessage(handle))
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return isHealthy ? .statementFailed(trimmed) : .unavailable(trimmed)
    }
}

extension Array where Element == UInt8 {
    fileprivate init?(hexDigits: Substring) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hexDigits.utf8.count / 2)
        var iterator = hexDigits.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = Self.nibble(high), let l = Self.nibble(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        self = bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
