import CCurl
public import Foundation

/// Sends mail over SMTP with libcurl: `smtp://host:port` upgrades with STARTTLS when the server
/// offers it, `smtps://` is TLS from the start; credentials come from the URL's user info.
public struct SMTPClient: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let url: URL
    private let timeoutSeconds: Int

    public init(url: URL, timeoutSeconds: Int = 30) {
        self.url = url
        self.timeoutSeconds = timeoutSeconds
    }

    /// Delivers one message; throws with libcurl's reason (never the credentials) on failure.
    public func send(_ message: EmailMessage, messageID: String) throws {
        guard let handle = curl_easy_init() else { throw Failure(description: "libcurl could not start") }
        defer { curl_easy_cleanup(handle) }
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let user = components?.user?.removingPercentEncoding
        let password = components?.password?.removingPercentEncoding
        components?.user = nil
        components?.password = nil
        let server = components?.url?.absoluteString ?? url.absoluteString
        let payload = PayloadReader(bytes: Array(message.rendered(messageID: messageID).utf8))
        var recipients: UnsafeMutablePointer<curl_slist>? = nil
        recipients = curl_slist_append(recipients, "<\(EmailMessage.clean(message.to))>")
        defer { curl_slist_free_all(recipients) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let status: CURLcode = withExtendedLifetime(payload) {
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                _ = keyhaven_curl_setopt_string(handle, CURLOPT_URL, server)
                _ = keyhaven_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(EmailMessage.clean(message.from))>")
                _ = keyhaven_curl_setopt_list(handle, CURLOPT_MAIL_RCPT, recipients)
                _ = keyhaven_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
                _ = keyhaven_curl_setopt_callback(handle, CURLOPT_READFUNCTION, readPayload)
                _ = keyhaven_curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(payload).toOpaque())
                _ = keyhaven_curl_setopt_long(handle, CURLOPT_INFILESIZE, payload.bytes.count)
                _ = keyhaven_curl_setopt_long(
                    handle, CURLOPT_USE_SSL, url.scheme == "smtps" ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_TRY.rawValue))
                _ = keyhaven_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
                _ = keyhaven_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                _ = keyhaven_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
                if let user { _ = keyhaven_curl_setopt_string(handle, CURLOPT_USERNAME, user) }
                if let password { _ = keyhaven_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
                return curl_easy_perform(handle)
            }
        }
        guard status == CURLE_OK else {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw Failure(description: detail.isEmpty ? String(cString: curl_easy_strerror(status)) : detail)
        }
    }
}

/// The message bytes libcurl pulls through `readPayload`.
private final class PayloadReader {
    let bytes: [UInt8]
    var offset = 0
    init(bytes: [UInt8]) { self.bytes = bytes }
}

private let readPayload: keyhaven_curl_io_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let reader = Unmanaged<PayloadReader>.fromOpaque(context).takeUnretainedValue()
    let chunk = min(size * count, reader.bytes.count - reader.offset)
    guard chunk > 0 else { return 0 }
    reader.bytes.withUnsafeBufferPointer { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + reader.offset, byteCount: chunk)
    }
    reader.offset += chunk
    return chunk
}
