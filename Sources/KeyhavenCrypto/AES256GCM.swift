import COpenSSL

/// AES-256-GCM authenticated encryption (NIST SP 800-38D) with a 96-bit nonce and 128-bit tag.
public enum AES256GCM {
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// The cipher, fetched from the default provider once: under OpenSSL 3, the legacy
    /// `EVP_aes_256_gcm()` makes every context initialisation look the implementation up again
    /// (it showed in profiles of item reads). Fetched ciphers are immutable and shareable.
    nonisolated(unsafe) static let cipher: OpaquePointer = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) ?? EVP_aes_256_gcm()

    /// A nonce, ciphertext and tag. `combined` (nonce ‖ ciphertext ‖ tag) is the storage form.
    public struct SealedBox: Sendable, Equatable {
        public let nonce: [UInt8]
        public let ciphertext: [UInt8]
        public let tag: [UInt8]

        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) throws {
            guard nonce.count == AES256GCM.nonceByteCount, tag.count == AES256GCM.tagByteCount else {
                throw CryptoError.invalidInput("AES-GCM nonce must be 12 bytes and tag 16 bytes")
            }
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }

        /// Splits the storage form; throws if it is too short to hold a nonce and a tag.
        public init(combined: [UInt8]) throws {
            guard combined.count >= AES256GCM.nonceByteCount + AES256GCM.tagByteCount else {
                throw CryptoError.invalidInput("sealed box too short")
            }
            try self.init(
                nonce: Array(combined.prefix(AES256GCM.nonceByteCount)),
                ciphertext: Array(combined.dropFirst(AES256GCM.nonceByteCount).dropLast(AES256GCM.tagByteCount)),
                tag: Array(combined.suffix(AES256GCM.tagByteCount)))
        }

        public var combined: [UInt8] { nonce + ciphertext + tag }
    }

    /// Encrypts and authenticates `plaintext`, and authenticates `authenticatedData` (AAD).
    /// A fresh random nonce is drawn unless one is given (only tests should pass one).
    public static func seal(
        _ plaintext: [UInt8], using key: SymmetricKey, nonce: [UInt8]? = nil,
        authenticating authenticatedData: [UInt8] = []
    ) throws -> SealedBox {
        let nonce = nonce ?? SecureRandom.bytes(count: nonceByteCount)
        guard nonce.count == nonceByteCount else { throw CryptoError.invalidInput("nonce must be 12 bytes") }
        guard let context = EVP_CIPHER_CTX_new() else { throw openSSLError("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        var length: Int32 = 0
        var output = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        guard EVP_EncryptInit_ex(context, AES256GCM.cipher, nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceByteCount), nil) == 1,
            EVP_EncryptInit_ex(context, nil, nil, key.bytes, nonce) == 1
        else { throw openSSLError("AES-GCM encrypt init") }
        if !authenticatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, authenticatedData, Int32(authenticatedData.count)) == 1
            else { throw openSSLError("AES-GCM AAD") }
        }
        var total = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context, &output, &length, plaintext, Int32(plaintext.count)) == 1 else {
                throw openSSLError("AES-GCM encrypt")
            }
            total = Int(length)
        }
        let finalStatus = output.withUnsafeMutableBufferPointer {
            EVP_EncryptFinal_ex(context, $0.baseAddress! + total, &length)
        }
        guard finalStatus == 1 else { throw openSSLError("AES-GCM encrypt final") }
        total += Int(length)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1 else {
            throw openSSLError("AES-GCM get tag")
        }
        return try SealedBox(nonce: nonce, ciphertext: Array(output[..<total]), tag: tag)
    }

    /// Verifies and decrypts. Throws `CryptoError.authenticationFailed` when the key, the AAD,
    /// the nonce, the ciphertext or the tag is not the one that was sealed.
    public static func open(
        _ box: SealedBox, using key: SymmetricKey, authenticating authenticatedData: [UInt8] = []
    ) throws -> [UInt8] {
        guard let context = EVP_CIPHER_CTX_new() else { throw openSSLError("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        var length: Int32 = 0
        var output = [UInt8](repeating: 0, count: box.ciphertext.count + tagByteCount)
        var tag = box.tag
        guard EVP_DecryptInit_ex(context, AES256GCM.cipher, nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceByteCount), nil) == 1,
            EVP_DecryptInit_ex(context, nil, nil, key.bytes, box.nonce) == 1
        else { throw openSSLError("AES-GCM decrypt init") }
        if !authenticatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, authenticatedData, Int32(authenticatedData.count)) == 1
            else { throw openSSLError("AES-GCM AAD") }
        }
        var total = 0
        if !box.ciphertext.isEmpty {
            guard EVP_DecryptUpdate(context, &output, &length, box.ciphertext, Int32(box.ciphertext.count)) == 1
            else { throw openSSLError("AES-GCM decrypt") }
            total = Int(length)
        }
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1 else {
            throw openSSLError("AES-GCM set tag")
        }
        let finalStatus = output.withUnsafeMutableBufferPointer {
            EVP_DecryptFinal_ex(context, $0.baseAddress! + total, &length)
        }
        guard finalStatus > 0 else {
            ERR_clear_error()
            throw CryptoError.authenticationFailed
        }
        total += Int(length)
        return Array(output[..<total])
    }
}

extension AES256GCM {
    /// Opens many boxes sealed under one key, setting the key up once (a page of items shares
    /// the user's data key; the key schedule was a large part of opening each one). Not for use
    /// from several threads at once.
    public final class Opener {
        private let context: OpaquePointer

        public init(key: SymmetricKey) throws {
            guard let context = EVP_CIPHER_CTX_new() else { throw openSSLError("EVP_CIPHER_CTX_new") }
            guard EVP_DecryptInit_ex(context, AES256GCM.cipher, nil, nil, nil) == 1,
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(AES256GCM.nonceByteCount), nil) == 1,
                EVP_DecryptInit_ex(context, nil, nil, key.bytes, nil) == 1
            else {
                EVP_CIPHER_CTX_free(context)
                throw openSSLError("AES-GCM decrypt init")
            }
            self.context = context
        }

        deinit { EVP_CIPHER_CTX_free(context) }

        /// Verifies and decrypts the storage form (nonce ‖ ciphertext ‖ tag).
        public func open(combined: [UInt8], authenticating authenticatedData: [UInt8]) throws -> [UInt8] {
            var output: [UInt8] = []
            try combined.withUnsafeBytes { box in
                try authenticatedData.withUnsafeBytes { try open(combined: box, authenticating: $0, appendingTo: &output) }
            }
            return output
        }

        /// Verifies and decrypts the storage form, appending the plaintext to `output` (a page of
        /// items is decrypted straight into the response). On failure `output` is as it was: the
        /// unverified bytes are removed before the error is thrown.
        public func open(
            combined box: UnsafeRawBufferPointer, authenticating authenticatedData: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]
        ) throws {
            let nonceCount = AES256GCM.nonceByteCount
            let tagCount = AES256GCM.tagByteCount
            guard box.count >= nonceCount + tagCount, let base = box.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
                throw CryptoError.invalidInput("sealed box too short")
            }
            let ciphertextCount = box.count - nonceCount - tagCount
            let start = output.count
            // GCM writes no more than it reads, so the output needs only the ciphertext's length
            // (one spare byte keeps the pointer valid for an empty ciphertext).
            output.append(contentsOf: repeatElement(0, count: ciphertextCount + 1))
            let status = output.withUnsafeMutableBufferPointer { buffer -> Bool in
                let target = buffer.baseAddress! + start
                var length: Int32 = 0
                guard EVP_DecryptInit_ex(context, nil, nil, nil, base) == 1 else { return false }
                if authenticatedData.count > 0,
                    EVP_DecryptUpdate(
                        context, nil, &length, authenticatedData.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(authenticatedData.count))
                        != 1
                {
                    return false
                }
                var total: Int32 = 0
                if ciphertextCount > 0 {
                    guard EVP_DecryptUpdate(context, target, &length, base + nonceCount, Int32(ciphertextCount)) == 1 else { return false }
                    total = length
                }
                guard
                    EVP_CIPHER_CTX_ctrl(
                        context, EVP_CTRL_GCM_SET_TAG, Int32(tagCount), UnsafeMutableRawPointer(mutating: base + nonceCount + ciphertextCount)) == 1
                else { return false }
                return EVP_DecryptFinal_ex(context, target + Int(total), &length) > 0
            }
            guard status else {
                output.removeSubrange(start...)
                ERR_clear_error()
                throw CryptoError.authenticationFailed
            }
            output.removeLast()
        }
    }
}
