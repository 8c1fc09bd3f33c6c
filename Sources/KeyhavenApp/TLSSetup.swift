import Foundation
import KeyhavenCrypto
import KeyhavenHTTP

/// The certificate and key the server presents: the configured PEM files, or a self-signed
/// development certificate generated into `<data dir>/tls/` on first start.
enum TLSSetup {
    static func material(configuration: Configuration, logger: Logger) throws -> HTTPServer.TLSMaterial? {
        guard configuration.tlsEnabled else { return nil }
        if let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath {
            return HTTPServer.TLSMaterial(
                certificatePEM: try read(certificatePath, variable: "KEYHAVEN_TLS_CERT"),
                privateKeyPEM: try read(keyPath, variable: "KEYHAVEN_TLS_KEY"))
        }
        let directory = configuration.dataDirectory + "/tls"
        let certificatePath = directory + "/cert.pem"
        let keyPath = directory + "/key.pem"
        if !FileManager.default.fileExists(atPath: certificatePath) || !FileManager.default.fileExists(atPath: keyPath) {
            let generated = try SelfSignedCertificate.generate()
            try SecureFile.writeAtomically(Array(generated.privateKeyPEM.utf8), to: keyPath)
            try SecureFile.writeAtomically(Array(generated.certificatePEM.utf8), to: certificatePath)
            logger.warning(
                "generated a self-signed development certificate; configure KEYHAVEN_TLS_CERT and KEYHAVEN_TLS_KEY for production",
                ["certificate": .string(certificatePath)])
        }
        return HTTPServer.TLSMaterial(
            certificatePEM: try read(certificatePath, variable: "KEYHAVEN_TLS_CERT"),
            privateKeyPEM: try read(keyPath, variable: "KEYHAVEN_TLS_KEY"))
    }

    private static func read(_ path: String, variable: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
            text.contains("-----BEGIN ")
        else { throw Configuration.Error(variable: variable, reason: "cannot read a PEM file at \(path)") }
        return text
    }
}
