import Foundation
import KeyhavenApp
import KeyhavenScanner

/// `keyhaven serve | migrate | help`. Exit codes: 0 success, 2 usage or configuration error,
/// 1 runtime failure.
let keyhavenVersion = "0.1.0"

let usage = """
    usage: keyhaven <command>

    commands:
      serve      run the server (migrates the database first)
      migrate    apply database migrations and exit
      backup FILE
                 write a consistent copy of the embedded SQLite database to FILE (while the server runs)
      scan PATH... [--format text|json|sarif] [--output FILE] [--rules FILE] [--max-file-size N]
                 scan files and directories for secrets (exit 0 clean, 1 found, 2 error)
      keys rotate
                 add a master key, make it active and re-seal every user's data key under it
      help       show this text

    Configuration comes from KEYHAVEN_* environment variables; see README.md.
    """

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("keyhaven: \(message)\n".utf8))
    exit(code)
}

func loadConfiguration() -> Configuration {
    do {
        return try Configuration.fromEnvironment()
    } catch {
        fail("configuration error: \(error)", code: 2)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "serve":
    let configuration = loadConfiguration()
    let logger = Logger()
    do {
        try buildApplication(configuration: configuration, logger: logger).run()
    } catch let error as Configuration.Error {
        logger.flush()
        fail("configuration error: \(error)", code: 2)
    } catch {
        logger.error("start-up failed", ["error": .string("\(error)")])
        logger.flush()
        fail("cannot start: \(error)", code: 1)
    }
case "migrate":
    let configuration = loadConfiguration()
    do {
        let applied = try migrateDatabase(configuration: configuration)
        print(applied.isEmpty ? "database is up to date" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    } catch {
        fail("migration failed: \(error)", code: 1)
    }
case "help", "--help", "-h":
    print(usage)
case "keys" where arguments.dropFirst().first == "rotate":
    let configuration = loadConfiguration()
    do {
        let report = try rotateMasterKey(configuration: configuration) { done in print("re-sealed \(done) data keys…") }
        print("added master key \(report.newKeyID) and made it active; re-sealed \(report.rewrapped) data keys")
        print("data keys per master key: \(report.dataKeysByMasterKey.sorted { $0.key < $1.key })")
        print("password hashes per master key: \(report.passwordHashesByMasterKey.sorted { $0.key < $1.key })")
        print("keep every master key that still wraps a data key or peppers a password hash in the key file; back the file up now")
    } catch let error as Configuration.Error {
        fail("configuration error: \(error)", code: 2)
    } catch {
        fail("key rotation failed (run it again to finish): \(error)", code: 1)
    }
case "backup":
    guard arguments.count == 2 else { fail("usage: keyhaven backup FILE", code: 2) }
    let configuration = loadConfiguration()
    do {
        try backupDatabase(configuration: configuration, to: arguments[1])
        print("wrote a consistent backup of the database to \(arguments[1]) (mode 0600)")
        print("it is useless without the key files: back up \(configuration.masterKeyFile) and \(configuration.jwtKeyFile) too, stored separately")
    } catch let error as Configuration.Error {
        fail("\(error)", code: 2)
    } catch {
        fail("backup failed: \(error)", code: 1)
    }
case "scan":
    exit(
        ScanCommand.run(
            arguments: Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
            version: keyhavenVersion))
default:
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
