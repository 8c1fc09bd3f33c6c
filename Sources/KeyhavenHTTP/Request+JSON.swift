import Foundation

/// A JSON request body that names its fields, so that unknown fields are refused (422)
/// instead of silently ignored: a typo in a security setting must not pass unnoticed.
public protocol RequestBody: Decodable {
    /// The snake_case field names the body may contain.
    static var fieldNames: Set<String> { get }
}

extension Request {
    /// Decodes a JSON object body: 415 unless `Content-Type` is JSON, 400 for malformed JSON or a
    /// non-object, 422 naming each unknown, missing or mistyped field.
    public func decode<Body: RequestBody>(_ type: Body.Type) throws -> Body {
        let contentType = headers["Content-Type"]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/json" else { throw HTTPError.unsupportedMediaType() }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw HTTPError.badRequest("The request body is not valid JSON.", code: "malformed_json")
        }
        guard let fields = object as? [String: Any] else {
            throw HTTPError.badRequest("The request body must be a JSON object.", code: "malformed_json")
        }
        let unknown = Set(fields.keys).subtracting(Body.fieldNames).sorted()
        guard unknown.isEmpty else {
            throw HTTPError.validationFailed(unknown.map { .init(field: $0, message: "unknown field") })
        }
        do {
            return try JSONCoding.decoder.decode(Body.self, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError.validationFailed([Self.fieldError(for: error)])
        }
    }

    private static func fieldError(for error: DecodingError) -> HTTPError.FieldError {
        func name(_ path: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = path + (last.map { [$0] } ?? [])
            let joined = keys.map { $0.intValue.map(String.init) ?? snakeCase($0.stringValue) }.joined(separator: ".")
            return joined.isEmpty ? "body" : joined
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .init(field: name(context.codingPath, key), message: "is required")
        case .valueNotFound(_, let context):
            return .init(field: name(context.codingPath), message: "must not be null")
        case .typeMismatch(let type, let context):
            return .init(field: name(context.codingPath), message: "must be of type \(jsonTypeName(type))")
        case .dataCorrupted(let context):
            return .init(field: name(context.codingPath), message: "has an invalid value")
        @unknown default:
            return .init(field: "body", message: "is invalid")
        }
    }

    /// The inverse of `convertFromSnakeCase` for our field names: `loudVoice` → `loud_voice`,
    /// `enable2Fa` → `enable_2fa`.
    private static func snakeCase(_ name: String) -> String {
        var result = ""
        var previous: Character?
        for character in name {
            if character.isNumber, let previous, previous.isLetter {
                result += "_"
            } else if character.isUppercase, let previous, !previous.isNumber {
                result += "_"
            }
            result += character.lowercased()
            previous = character
        }
        return result
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Int64.Type, is Double.Type: "number"
        default: "\(type)".lowercased().contains("array") ? "array" : "object"
        }
    }
}
