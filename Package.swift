// swift-tools-version:6.0
import PackageDescription

// Every dependency is a Debian C library reached through a `.systemLibrary` target
// (module.modulemap + shim.h with static-inline helpers for variadic functions and macros).
// Only the layer that wraps a C library imports its module; see shared DESIGN.md.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Keyhaven",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keyhaven", targets: ["keyhaven"]),
        .executable(name: "kh", targets: ["kh"]),
        // Libraries for the fuzz package (Fuzz/); the server and kh are the products people use.
        .library(name: "KeyhavenScanner", targets: ["KeyhavenScanner"]),
        .library(name: "KeyhavenApp", targets: ["KeyhavenApp"]),
        .library(name: "KeyhavenCrypto", targets: ["KeyhavenCrypto"]),
    ],
    targets: [
        // 1. C modules
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CXCrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),

        // The lock box shared by every layer that keeps state between threads (and the tests).
        .target(name: "KeyhavenLocking", swiftSettings: strictSettings),
        // 2. HTTP
        .target(name: "KeyhavenHTTP", dependencies: ["CMicroHTTPD", "KeyhavenLocking"], swiftSettings: strictSettings),
        // 3. Crypto
        .target(
            name: "KeyhavenCrypto", dependencies: ["COpenSSL", "CXCrypt", "CArgon2"],
            swiftSettings: strictSettings),
        // QR codes for authenticator apps (a utility beside the crypto layer).
        .target(name: "KeyhavenQR", dependencies: ["CQRencode"], swiftSettings: strictSettings),
        // Outgoing email over SMTP (libcurl).
        .target(name: "KeyhavenMail", dependencies: ["CCurl"], swiftSettings: strictSettings),
        // 4. Storage
        .target(
            name: "KeyhavenStorage", dependencies: ["CSQLite", "CPostgres"],
            swiftSettings: strictSettings),
        // 5. Scanner: a pure engine, bytes and paths in, findings out; rules are a bundled data file.
        .target(
            name: "KeyhavenScanner", dependencies: ["CPCRE2", "KeyhavenCrypto", "KeyhavenLocking"],
            resources: [.embedInCode("rules.json")], swiftSettings: strictSettings),
        // An HTTPS client over libcurl (GitHub, and the kh client).
        .target(name: "KeyhavenHTTPClient", dependencies: ["CCurl"], swiftSettings: strictSettings),
        // 6. GitHub: OAuth2 and the REST client, feeding the scanner.
        .target(name: "KeyhavenGitHub", dependencies: ["KeyhavenHTTPClient"], swiftSettings: strictSettings),
        // 7. App
        .target(
            name: "KeyhavenApp",
            dependencies: [
                "KeyhavenHTTP", "KeyhavenCrypto", "KeyhavenMail", "KeyhavenQR", "KeyhavenStorage", "KeyhavenScanner",
                "KeyhavenGitHub", "KeyhavenHTTPClient", "KeyhavenLocking",
            ],
            swiftSettings: strictSettings),
        // Helpers shared by the test targets: throwaway databases, a raw socket HTTP client.
        .target(
            name: "KeyhavenTestSupport", dependencies: ["KeyhavenHTTP", "KeyhavenStorage", "COpenSSL", "KeyhavenLocking"],
            swiftSettings: strictSettings),
        // 8. Executable
        .executableTarget(
            name: "keyhaven", dependencies: ["KeyhavenApp", "KeyhavenScanner"], swiftSettings: strictSettings),
        // The end-to-end client library and its command line, `kh`.
        .target(
            name: "KeyhavenClient", dependencies: ["KeyhavenHTTPClient", "KeyhavenCrypto"], swiftSettings: strictSettings),
        .executableTarget(name: "kh", dependencies: ["KeyhavenClient", "KeyhavenCrypto"], swiftSettings: strictSettings),

        .testTarget(
            name: "KeyhavenHTTPTests", dependencies: ["KeyhavenHTTP", "KeyhavenTestSupport", "KeyhavenLocking"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "KeyhavenCryptoTests", dependencies: ["KeyhavenCrypto"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "KeyhavenScannerTests", dependencies: ["KeyhavenScanner", "KeyhavenTestSupport"], resources: [.copy("Fixtures")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "KeyhavenClientTests",
            dependencies: ["KeyhavenClient", "KeyhavenApp", "KeyhavenHTTP", "KeyhavenStorage", "KeyhavenTestSupport", "KeyhavenLocking"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "KeyhavenMailTests", dependencies: ["KeyhavenMail", "KeyhavenTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "KeyhavenStorageTests", dependencies: ["KeyhavenStorage", "KeyhavenTestSupport", "KeyhavenLocking"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "KeyhavenAppTests",
            dependencies: [
                "KeyhavenApp", "KeyhavenHTTP", "KeyhavenCrypto", "KeyhavenStorage", "KeyhavenTestSupport", "KeyhavenLocking", "KeyhavenGitHub",
                "KeyhavenHTTPClient",
            ],
            swiftSettings: strictSettings),
    ]
)
