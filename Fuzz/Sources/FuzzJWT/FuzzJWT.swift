import Foundation
import FuzzSupport
import KeyhavenCrypto

let key = try! Ed25519.PrivateKey(seed: Array(repeating: 7, count: 32))
let keys = ["k1": key.publicKey]

/// The access-token parser and verifier on arbitrary strings: no crash, and nothing but a token
/// this key signed verifies.
@_cdecl("FuzzJWT_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        let token = String(decoding: bytes(data, size), as: UTF8.self)
        if (try? JWT.verify(token, publicKeys: keys, issuer: "https://fuzz", audience: "keyhaven", now: Date())) != nil {
            fatalError("an unsigned input verified: \(token)")
        }
        return 0
    }
}
