import Foundation
import Glibc
import KeyhavenClient
import KeyhavenCrypto

/// `kh`: the Keyhaven command line. Thin: every operation is a `KeyhavenClient` call.
/// Exit status: 0 success, 1 failure, 2 usage error.
let usage = """
    usage: kh <command> [options]

      signup --server URL --email E        create an account (password prompted, or read from stdin)
      login --server URL --email E [--secret-key KEY]
                                           sign in; prints the emergency kit on a first device
      logout                               end the session on the server and forget it here
      secret-key                           print this account's Secret Key (for another device)
      unlock                               print export KH_SESSION=… (unlocks end-to-end vaults)
      vaults [--json]                      list vaults
      vault create NAME [--e2e]            create a vault (--e2e: encrypted on this device)
      add --vault V --title T [--website W] [--username U] [--notes N] [--password P | --generate]
      list [--vault V] [--search Q] [--json]
      get ID [--field password] [--json]
      edit ID [--title T] [--website W] [--username U] [--notes N] [--password P | --generate]
      rm ID
      generate [--length N] [--words N]    a random password or passphrase
      health [--json]                      weak and reused passwords (end-to-end vaults checked here)
      export --format keyhaven|json|csv [--output FILE] [--export-password P]
      import FILE --format F [--vault V] [--export-password P]
      scan link | repos | run OWNER/NAME... | status ID | results [--scan ID] [--json]

    Connection options for signup and login: --ca-file PEM (a self-signed server), --insecure.
    Passwords are prompted without echo on a terminal; otherwise each is one line of standard input
    (account password first, then a two-factor code if asked). End-to-end vaults need the account
    password (prompted) unless KH_SESSION from `kh unlock` is set. State: ~/.config/keyhaven (0600).
    """

struct Usage: Error, CustomStringConvertible { let description: String }

/// The parsed command line and its state; one instance per run.
final class CLI {
    var arguments: [String]
    let environment: [String: String]
    let client: KeyhavenClient
    var stdinLines: [String]? = nil

    init(arguments: [String], environment: [String: String]) {
        self.arguments = arguments
        self.environment = environment
        client = KeyhavenClient(store: ClientStore(directory: ClientStore.defaultDirectory(environment: environment)))
    }

    /// `--name value` (or `--name=value`), removed from `arguments`.
    func option(_ name: String) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == name, index + 1 < arguments.count {
                let value = arguments[index + 1]
                arguments.removeSubrange(index...(index + 1))
                return value
            }
            if argument.hasPrefix(name + "=") {
                arguments.remove(at: index)
                return String(argument.dropFirst(name.count + 1))
            }
        }
        return nil
    }

    func flag(_ name: String) -> Bool {
        guard let index = arguments.firstIndex(of: name) else { return false }
        arguments.remove(at: index)
        return true
    }

    func required(_ name: String) throws -> String {
        guard let value = option(name), !value.isEmpty else { throw Usage(description: "\(name) is required") }
        return value
    }

    /// A secret: prompted without echo on a terminal, else the next line of standard input.
    func secret(_ prompt: String) throws -> String {
        if isatty(STDIN_FILENO) == 1 {
            FileHandle.standardError.write(Data("\(prompt): ".utf8))
            var settings = termios()
            tcgetattr(STDIN_FILENO, &settings)
            var quiet = settings
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
            defer {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &settings)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            return readLine(strippingNewline: true) ?? ""
        }
        if stdinLines == nil {
            stdinLines = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        guard let line = stdinLines?.first, !(stdinLines?.isEmpty ?? true) else { throw Usage(description: "\(prompt): nothing on standard input") }
        stdinLines?.removeFirst()
        return line
    }

    func printJSON(_ value: Any) {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    func keysIfNeeded(for vaults: [KeyhavenClient.Vault]) throws -> [String: SymmetricKey] {
        guard vaults.contains(where: \.endToEnd) else { return [:] }
        if let session = environment["KH_SESSION"], !session.isEmpty { return try client.vaultKeys(session: session) }
        return try client.vaultKeys(password: try secret("Account password"))
    }

    func itemFields() -> [String: String] {
        var fields: [String: String] = [:]
        for name in ["title", "website", "username", "notes", "password"] {
            if let value = option("--\(name)") { fields[name] = value }
        }
        if flag("--generate") { fields["password"] = PasswordGenerator.password() }
        return fields
    }

    func run() throws {
        guard let command = arguments.first else { throw Usage(description: "no command") }
        arguments.removeFirst()
        let json = flag("--json")
        switch command {
        case "signup":
            let server = try required("--server")
            let email = try required("--email")
            let password = try secret("Choose an account password")
            if isatty(STDIN_FILENO) == 1, try secret("Repeat it") != password { throw Usage(description: "the passwords differ") }
            try client.signup(server: server, email: email, password: password, caFile: option("--ca-file"), insecure: flag("--insecure"))
            print("account created for \(email); now: kh login --server \(server) --email \(email)")
        case "login":
            let server = try required("--server")
            let email = try required("--email")
            let secretKey = option("--secret-key")
            let caFile = option("--ca-file")
            let insecure = flag("--insecure")
            let result = try client.login(
                server: server, email: email, password: try secret("Account password"), secretKey: secretKey, caFile: caFile, insecure: insecure
            ) { try secret("Two-factor code") }
            print("logged in as \(email)")
            if let fresh = result.newSecretKey {
                print(
                    """

                    EMERGENCY KIT: your Secret Key (shown once; kh secret-key prints it again on this device)

                        \(fresh.formatted)

                    Keep it with your account password, offline. Every new device needs it:
                        kh login --server \(server) --email \(email) --secret-key \(fresh.formatted)
                    Without it, nobody (not the server, not us) can open your end-to-end vaults.
                    """)
            }
        case "logout":
            try client.logout()
            print("logged out")
        case "secret-key":
            print(try client.secretKey().formatted)
        case "unlock":
            print("export KH_SESSION=\(try client.unlock(password: try secret("Account password")))")
        case "vaults":
            let vaults = try client.vaults()
            if json {
                printJSON(vaults.map { ["id": $0.id, "name": $0.name, "encryption": $0.endToEnd ? "client" : "server"] })
            } else {
                for vault in vaults { print("\(vault.id)  \(vault.endToEnd ? "e2e   " : "server")  \(vault.name)") }
            }
        case "vault":
            guard arguments.first == "create", arguments.count >= 2 else { throw Usage(description: "kh vault create NAME [--e2e]") }
            let e2e = flag("--e2e")
            let name = arguments[1]
            let vault = try client.createVault(name: name, endToEnd: e2e, password: e2e ? try secret("Account password") : nil)
            print("created vault \(vault.id) (\(e2e ? "end-to-end" : "server-encrypted"))")
        case "add":
            let vault = try client.vault(named: try required("--vault"))
            var fields = itemFields()
            guard fields["title"] != nil else { throw Usage(description: "--title is required") }
            if fields["password"] == nil { fields["password"] = try secret("Item password") }
            let item = try client.addItem(fields, vault: vault, keys: try keysIfNeeded(for: [vault]))
            print(item.id)
        case "list":
            let vault = try option("--vault").map { try client.vault(named: $0) }
            let search = option("--search")
            let items = try client.items(vault: vault, search: search, keys: try keysIfNeeded(for: vault.map { [$0] } ?? client.vaults()))
            if json {
                printJSON(
                    items.map {
                        [
                            "id": $0.id, "vault_id": $0.vaultID, "title": $0.fields["title"] ?? "", "website": $0.fields["website"] ?? "",
                            "username": $0.fields["username"] ?? "",
                        ]
                    })
            } else {
                for item in items {
                    print("\(item.id)  \(item.fields["title"] ?? "")  \(item.fields["username"] ?? "")  \(item.fields["website"] ?? "")")
                }
            }
        case "get":
            guard let id = arguments.first else { throw Usage(description: "kh get ID") }
            let field = option("--field")
            let item = try client.item(id, keys: try keysIfNeeded(for: client.vaults()))
            if let field {
                guard let value = item.fields[field] else { throw Usage(description: "the item has no \(field)") }
                print(value)
            } else if json {
                printJSON(["id": item.id, "vault_id": item.vaultID, "version": item.version].merging(item.fields) { $1 })
            } else {
                for name in KeyhavenClient.fieldNames where name != "password" { if let value = item.fields[name] { print("\(name): \(value)") } }
                print("password: (hidden; kh get \(id) --field password)")
            }
        case "edit":
            guard let id = arguments.first else { throw Usage(description: "kh edit ID [--field value...]") }
            let changes = itemFields()
            let item = try client.editItem(id, changes: changes, keys: try keysIfNeeded(for: client.vaults()))
            print("updated \(item.id) (version \(item.version))")
        case "rm":
            guard let id = arguments.first else { throw Usage(description: "kh rm ID") }
            try client.deleteItem(id)
            print("deleted \(id)")
        case "generate":
            if let words = option("--words").flatMap(Int.init) {
                print(PasswordGenerator.passphrase(words: words))
            } else {
                print(PasswordGenerator.password(length: option("--length").flatMap(Int.init) ?? 20))
            }
        case "health":
            let report = try client.health(keys: try keysIfNeeded(for: client.vaults()))
            if json {
                printJSON(["weak": report.weak.map { ["id": $0.id, "reasons": $0.reasons] }, "reused": report.reused])
            } else {
                for entry in report.weak { print("weak    \(entry.id)  \(entry.reasons.joined(separator: ", "))") }
                for group in report.reused { print("reused  \(group.joined(separator: " "))") }
                if report.weak.isEmpty && report.reused.isEmpty { print("no weak or reused passwords") }
            }
        case "export":
            let format = try required("--format")
            let output = option("--output")
            var exportPassword = option("--export-password")
            let password = try secret("Account password")
            if format == "keyhaven" && exportPassword == nil { exportPassword = try secret("Export password") }
            let data = try client.export(password: password, format: format, exportPassword: exportPassword)
            if let output {
                try SecureFile.writeAtomically(data, to: output)
                print("wrote \(output) (mode 0600)")
            } else {
                FileHandle.standardOutput.write(Data(data))
            }
        case "import":
            guard let file = arguments.first, let data = FileManager.default.contents(atPath: file) else {
                throw Usage(description: "kh import FILE --format F")
            }
            let format = try required("--format")
            let vault = try option("--vault").map { try client.vault(named: $0) }
            let result = try client.importData(
                String(decoding: data, as: UTF8.self), format: format, exportPassword: option("--export-password"), vault: vault)
            printJSON(result ?? [:])
        case "scan":
            let action = arguments.first ?? ""
            switch action {
            case "link": print("open this URL in a browser while signed in:\n\(try client.githubLinkURL())")
            case "repos": for name in try client.githubRepos() { print(name) }
            case "run":
                let names = Array(arguments.dropFirst())
                guard !names.isEmpty else { throw Usage(description: "kh scan run OWNER/NAME...") }
                print(try client.githubScan(names))
            case "status":
                guard arguments.count >= 2 else { throw Usage(description: "kh scan status ID") }
                printJSON(try client.githubScanStatus(arguments[1]))
            case "results":
                let findings = try client.githubFindings(scanID: option("--scan"))
                if json {
                    printJSON(findings)
                } else {
                    for finding in findings {
                        print(
                            "\(finding["repository"] ?? ""):\(finding["path"] ?? ""):\(finding["line"] ?? "")  \(finding["rule_id"] ?? "")  \(finding["redacted"] ?? "")  \(finding["status"] ?? "")"
                        )
                    }
                }
            default: throw Usage(description: "kh scan link | repos | run | status | results")
            }
        case "help", "--help", "-h":
            print(usage)
        default:
            throw Usage(description: "unknown command \(command)")
        }
    }
}

let cli = CLI(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
do {
    try cli.run()
} catch let error as Usage {
    FileHandle.standardError.write(Data("kh: \(error.description)\n\n\(usage)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("kh: \(error)\n".utf8))
    exit(1)
}
