import CQRencode

/// QR codes through libqrencode, rendered as SVG for authenticator-app enrolment.
public enum QRCode {
    public enum Failure: Error {
        case encodingFailed
    }

    /// An SVG of `text` as a QR code (error correction M, byte mode, 4-module quiet zone), drawn
    /// as one path of unit squares; it scales to any size without blurring.
    public static func svg(for text: String) throws -> String {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { throw Failure.encodingFailed }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let quiet = 4
        let size = width + 2 * quiet
        var path = ""
        path.reserveCapacity(width * width * 4)
        for y in 0..<width {
            for x in 0..<width where code.pointee.data[y * width + x] & 1 == 1 {
                path += "M\(x + quiet) \(y + quiet)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" width="\(size * 8)" height="\(size * 8)" \
            shape-rendering="crispEdges"><rect width="\(size)" height="\(size)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}
