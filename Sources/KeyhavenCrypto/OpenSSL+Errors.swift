import COpenSSL

/// Builds a `CryptoError` from OpenSSL's error queue and clears the queue.
func openSSLError(_ operation: String) -> CryptoError {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0 else { return .openssl(operation) }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    let reason = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return .openssl("\(operation): \(reason)")
}
