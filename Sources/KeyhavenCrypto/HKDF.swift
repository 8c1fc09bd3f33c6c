import COpenSSL

/// HKDF with SHA-256 (RFC 5869).
public enum HKDFSHA256 {
    /// Derives `outputByteCount` bytes (at most 255 × 32) from input key material.
    public static func deriveKey(
        from inputKeyMaterial: [UInt8], salt: [UInt8], info: [UInt8], outputByteCount: Int
    ) throws -> [UInt8] {
        guard outputByteCount > 0, outputByteCount <= 255 * 32 else {
            throw CryptoError.invalidInput("HKDF output length out of range")
        }
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil) else {
            throw openSSLError("EVP_PKEY_CTX_new_id(HKDF)")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: outputByteCount)
        var length = outputByteCount
        // OpenSSL rejects a null pointer even for empty salt/info: pass a one-byte buffer, length 0.
        let saltBuffer = salt.isEmpty ? [0] : salt
        let infoBuffer = info.isEmpty ? [0] : info
        guard EVP_PKEY_derive_init(context) == 1,
            EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) == 1,
            EVP_PKEY_CTX_set1_hkdf_salt(context, saltBuffer, Int32(salt.count)) == 1,
            EVP_PKEY_CTX_set1_hkdf_key(context, inputKeyMaterial, Int32(inputKeyMaterial.count)) == 1,
            EVP_PKEY_CTX_add1_hkdf_info(context, infoBuffer, Int32(info.count)) == 1,
            EVP_PKEY_derive(context, &output, &length) == 1,
            length == outputByteCount
        else { throw openSSLError("HKDF derive") }
        return output
    }
}
