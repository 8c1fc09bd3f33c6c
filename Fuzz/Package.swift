// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets over Keyhaven's parsers. Built only by `make fuzz` (scripts/fuzz.sh), with
// `-sanitize=fuzzer,address` and `-enable-testing` (for `@testable import`).
let package = Package(
    name: "KeyhavenFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Keyhaven", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzScanner", dependencies: ["FuzzSupport", .product(name: "KeyhavenScanner", package: "Keyhaven")]),
        .executableTarget(name: "FuzzRequests", dependencies: ["FuzzSupport", .product(name: "KeyhavenApp", package: "Keyhaven")]),
        .executableTarget(name: "FuzzJWT", dependencies: ["FuzzSupport", .product(name: "KeyhavenCrypto", package: "Keyhaven")]),
        .executableTarget(name: "FuzzImport", dependencies: ["FuzzSupport", .product(name: "KeyhavenApp", package: "Keyhaven")]),
    ]
)
