import Foundation
import FuzzSupport
import KeyhavenHTTP

@testable import KeyhavenApp

/// The request path: JSON body decoding and validation (unknown fields, types, lengths, the
/// end-to-end envelope rules), and the router, on arbitrary bytes. The first byte picks what.
let application: Application = {
    let directory = NSTemporaryDirectory() + "keyhaven-fuzz-\(getpid())"
    let configuration = try! Configuration.fromEnvironment([
        "KEYHAVEN_ENV": "test", "KEYHAVEN_DATA_DIR": directory, "KEYHAVEN_TLS": "off", "KEYHAVEN_BCRYPT_COST": "4",
    ])
    return try! buildApplication(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
}()

@_cdecl("FuzzRequests_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    _ = application.responder
    return runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        guard let selector = input.first else { return 0 }
        let rest = Array(input.dropFirst())
        let request = Request(
            method: "POST", path: "/passwords", query: [:], headers: ["Content-Type": "application/json"], body: rest, peerAddress: "127.0.0.1")
        switch selector % 3 {
        case 0:
            if let item = try? request.decode(ItemInput.self) {
                _ = try? item.validated(for: .server)
                _ = try? item.validated(for: .client)
            }
        case 1:
            _ = try? request.decode(AuthController.SignupBody.self)
            _ = try? request.decode(GitHubController.ScanBody.self)
        default:
            let path = String(decoding: rest, as: UTF8.self)
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] { _ = application.responder.resolve(method: method, path: path) }
        }
        return 0
    }
}
