import CCurl
public import Foundation

/// A small blocking HTTPS client over libcurl (certificate verification on, redirects off,
/// bounded time and size). Used for GitHub's OAuth and REST endpoints.
public struct HTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        /// Header names in lower case; the last value wins.
        public var headers: [String: String]
        public var body: [UInt8]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public var timeoutSeconds: Int
    public var maximumBodyBytes: Int
    /// A CA bundle (PEM) to trust instead of the system's: a server's self-signed certificate.
    public var caFile: String?
    /// Skip certificate verification (`kh --insecure`; never the default).
    public var verifiesPeer: Bool

    public init(timeoutSeconds: Int = 30, maximumBodyBytes: Int = 64 << 20, caFile: String? = nil, verifiesPeer: Bool = true) {
        self.timeoutSeconds = timeoutSeconds
        self.maximumBodyBytes = maximumBodyBytes
        self.caFile = caFile
        self.verifiesPeer = verifiesPeer
    }

    public func send(method: String, url: URL, headers: [(String, String)], body: [UInt8]? = nil) throws -> Response {
        guard let handle = curl_easy_init() else { throw Failure(description: "libcurl could not start") }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in headers {
            // Header values come from us, but never let a CR or LF through.
            let clean = value.filter { $0 != "\r" && $0 != "\n" }
            list = curl_slist_append(list, "\(name): \(clean)")
        }
        defer { curl_slist_free_all(list) }
        let sink = ResponseSink(limit: maximumBodyBytes)
        let upload = body ?? []
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let status: CURLcode = withExtendedLifetime(sink) {
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                upload.withUnsafeBufferPointer { uploadBytes in
                    _ = keyhaven_curl_setopt_string(handle, CURLOPT_URL, url.absoluteString)
                    _ = keyhaven_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
                    _ = keyhaven_curl_setopt_list(handle, CURLOPT_HTTPHEADER, list)
                    if body != nil {
                        _ = keyhaven_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: uploadBytes.baseAddress))
                        _ = keyhaven_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, uploadBytes.count)
                    }
                    _ = keyhaven_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, collectBody)
                    _ = keyhaven_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
                    _ = keyhaven_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, collectHeader)
                    _ = keyhaven_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(sink).toOpaque())
                    _ = keyhaven_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
                    _ = keyhaven_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, min(10, timeoutSeconds))
                    _ = keyhaven_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                    _ = keyhaven_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                    _ = keyhaven_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, verifiesPeer ? 1 : 0)
                    _ = keyhaven_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, verifiesPeer ? 2 : 0)
                    _ = keyhaven_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
                    if let caFile { _ = keyhaven_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
                    _ = keyhaven_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
                    return curl_easy_perform(handle)
                }
            }
        }
        if sink.overflowed { throw Failure(description: "response larger than \(maximumBodyBytes) bytes") }
        guard status == CURLE_OK else {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw Failure(description: detail.isEmpty ? String(cString: curl_easy_strerror(status)) : detail)
        }
        var code = 0
        _ = keyhaven_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return Response(status: code, headers: sink.headers, body: sink.body)
    }
}

final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overflowed = false

    init(limit: Int) { self.limit = limit }
}

private func collectBody(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if sink.body.count + length > sink.limit {
        sink.overflowed = true
        return 0
    }
    buffer.withMemoryRebound(to: UInt8.self, capacity: length) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    return length
}

private func collectHeader(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = buffer.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        sink.headers = [:]  // a new response (after 100 Continue)
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        sink.headers[name] = value
    }
    return length
}
