import COpenSSL

/// A development TLS certificate: ECDSA P-256, SHA-256, valid for `localhost`, `127.0.0.1`
/// and `::1`, signed by its own key. Production deployments configure a real certificate.
public struct SelfSignedCertificate: Sendable {
    public let certificatePEM: String
    /// PKCS#8 PEM of the private key. Write it only with `SecureFile` (mode 0600).
    public let privateKeyPEM: String

    public static func generate(commonName: String = "localhost", validityDays: Int = 365) throws -> SelfSignedCertificate {
        let key = try generateP256Key()
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else { throw openSSLError("X509_new") }
        defer { X509_free(certificate) }

        var serial = SecureRandom.bytes(count: 16)
        serial[0] &= 0x7f  // a positive serial number
        guard let serialNumber = BN_bin2bn(serial, Int32(serial.count), nil) else { throw openSSLError("BN_bin2bn") }
        defer { BN_free(serialNumber) }
        guard X509_set_version(certificate, 2) == 1,
            BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(certificate)) != nil,
            X509_gmtime_adj(X509_getm_notBefore(certificate), -60) != nil,
            X509_gmtime_adj(X509_getm_notAfter(certificate), validityDays * 86_400) != nil,
            X509_set_pubkey(certificate, key) == 1
        else { throw openSSLError("X509 fields") }

        guard let name = X509_get_subject_name(certificate),
            X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, "Keyhaven development", -1, -1, 0) == 1,
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1,
            X509_set_issuer_name(certificate, name) == 1
        else { throw openSSLError("X509 name") }

        try addExtension(NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1", to: certificate)
        try addExtension(NID_basic_constraints, "critical,CA:FALSE", to: certificate)
        try addExtension(NID_key_usage, "critical,digitalSignature", to: certificate)
        try addExtension(NID_ext_key_usage, "serverAuth", to: certificate)

        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw openSSLError("X509_sign") }
        let certificatePEM = try pem { PEM_write_bio_X509($0, certificate) }
        let keyPEM = try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
        return SelfSignedCertificate(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
    }

    private static func generateP256Key() throws -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil) else { throw openSSLError("EVP_PKEY_CTX_new_id(EC)") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
            EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1,
            EVP_PKEY_keygen(context, &key) == 1, let key
        else { throw openSSLError("P-256 keygen") }
        return key
    }

    private static func addExtension(_ nid: Int32, _ value: String, to certificate: OpaquePointer) throws {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else { throw openSSLError("X509 extension") }
        defer { X509_EXTENSION_free(ext) }
        guard X509_add_ext(certificate, ext, -1) == 1 else { throw openSSLError("X509_add_ext") }
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw openSSLError("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw openSSLError("PEM write") }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = keyhaven_BIO_get_mem_data(bio, &pointer)
        guard length > 0, let pointer else { throw openSSLError("BIO_get_mem_data") }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
