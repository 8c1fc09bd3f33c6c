import Foundation
import FuzzSupport

@testable import KeyhavenApp

/// The CSV importer (and the Bitwarden JSON one) on arbitrary text.
@_cdecl("FuzzImport_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        let text = String(decoding: input, as: UTF8.self)
        _ = try? ImportFormats.rows(fromCSV: text)
        if let object = try? JSONSerialization.jsonObject(with: Data(input)) as? [String: Any] {
            _ = try? ImportFormats.rows(fromBitwarden: object)
        }
        return 0
    }
}
