/// Storage failures. Messages describe the failure for logs; they never contain bound values.
public enum DatabaseError: Error, Equatable, CustomStringConvertible {
    /// A UNIQUE or PRIMARY KEY constraint refused the write.
    case uniqueViolation
    case foreignKeyViolation
    /// The database cannot be reached or opened.
    case unavailable(String)
    /// No pooled connection became free in time.
    case poolExhausted
    /// The statement failed for another reason (SQL error text from the engine, no parameters).
    case statementFailed(String)
    /// A column was missing or of an unexpected type.
    case decoding(String)
    /// The `KEYHAVEN_DATABASE_URL` value is not one we understand.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .uniqueViolation: "unique constraint violated"
        case .foreignKeyViolation: "foreign key constraint violated"
        case .unavailable(let reason): "database unavailable: \(reason)"
        case .poolExhausted: "no database connection became free in time"
        case .statementFailed(let reason): "statement failed: \(reason)"
        case .decoding(let column): "unexpected value in column \(column)"
        case .invalidURL(let reason): reason
        }
    }
}
