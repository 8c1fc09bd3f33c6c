/// Where the database lives, parsed from `KEYHAVEN_DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// `sqlite:///absolute/path.db` or `sqlite://relative/path.db`.
    case sqlite(path: String)
    /// `postgres://` or `postgresql://` URI, handed to libpq as is.
    case postgres(url: String)

    public init(url: String) throws {
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw DatabaseError.invalidURL("sqlite URL has no path") }
            self = .sqlite(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
        } else {
            throw DatabaseError.invalidURL("must start with sqlite:// or postgres://")
        }
    }

    /// Safe to log: a PostgreSQL password is replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .postgres(let url): return Self.redactingPassword(url)
        }
    }

    /// Opens the database (PostgreSQL connects lazily; call `ping()` to check it).
    public func open(poolSize: Int = 10) throws -> any Database {
        switch self {
        case .sqlite(let path): return try SQLiteDatabase(path: path, readerCount: max(2, poolSize / 2))
        case .postgres(let url): return PostgresDatabase(url: url, poolSize: poolSize)
        }
    }

    static func redactingPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex) else {
            return url
        }
        let credentials = url[scheme.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at.lowerBound...])
    }
}
