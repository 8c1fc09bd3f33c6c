/// `multipart/form-data` (RFC 7578) parts of a request body.
public struct MultipartPart: Sendable {
    public var name: String
    public var filename: String?
    public var body: [UInt8]
}

extension Request {
    /// The parts of a `multipart/form-data` body; 415 for another content type, 400 if malformed.
    public func multipartParts() throws -> [MultipartPart] {
        guard let contentType = headers["Content-Type"], contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundaryRange = contentType.range(of: "boundary=")
        else { throw HTTPError.unsupportedMediaType("multipart/form-data") }
        var boundary = String(contentType[boundaryRange.upperBound...].split(separator: ";")[0]).trimmingCharacters(in: .whitespaces)
        if boundary.hasPrefix("\"") && boundary.hasSuffix("\"") && boundary.count >= 2 { boundary = String(boundary.dropFirst().dropLast()) }
        guard !boundary.isEmpty else { throw HTTPError.badRequest("The multipart boundary is missing.", code: "malformed_multipart") }
        let delimiter = Array("--\(boundary)".utf8)
        let body = self.body
        var positions: [Int] = []
        var index = 0
        while let found = Self.find(delimiter, in: body, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        guard positions.count >= 2 else { throw HTTPError.badRequest("The multipart body is malformed.", code: "malformed_multipart") }
        var parts: [MultipartPart] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            if partStart + 1 < body.count, body[partStart] == 13, body[partStart + 1] == 10 { partStart += 2 }
            var partEnd = end
            if partEnd >= 2, body[partEnd - 2] == 13, body[partEnd - 1] == 10 { partEnd -= 2 }
            guard partStart <= partEnd, let headerEnd = Self.find([13, 10, 13, 10], in: Array(body[partStart..<partEnd]), from: 0) else {
                throw HTTPError.badRequest("A multipart part has no headers.", code: "malformed_multipart")
            }
            let headerText = String(decoding: body[partStart..<(partStart + headerEnd)], as: UTF8.self)
            var name: String?
            var filename: String?
            for line in headerText.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                name = Self.parameter("name", in: line)
                filename = Self.parameter("filename", in: line)
            }
            guard let name else { throw HTTPError.badRequest("A multipart part has no name.", code: "malformed_multipart") }
            parts.append(MultipartPart(name: name, filename: filename, body: Array(body[(partStart + headerEnd + 4)..<partEnd])))
        }
        return parts
    }

    private static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where piece.hasPrefix("\(key)=") {
            var value = String(piece.dropFirst(key.count + 1))
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
