import Foundation

/// One item read from an import file, before validation. `row` is 1-based among data rows.
struct ImportedRow: Sendable, Equatable {
    var row: Int
    var title: String
    var website: String?
    var username: String?
    var password: String
    var notes: String?
}

enum ImportFormats {
    /// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks.
    static func parseCSV(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var atFieldStart = true
        var characters = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = characters.next()
        if pending == "\u{FEFF}" { pending = characters.next() }  // byte-order mark
        while let scalar = pending {
            pending = characters.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = characters.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where atFieldStart:
                quoted = true
                atFieldStart = false
            case ",":
                row.append(field)
                field = ""
                atFieldStart = true
            case "\r":
                continue
            case "\n":
                row.append(field)
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
                field = ""
                atFieldStart = true
            default:
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        if quoted { throw ImportError(row: rows.count, message: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    /// Maps CSV rows by their header, recognising the layouts Bitwarden, Chrome/Chromium, Firefox,
    /// 1Password (7 and 8) and KeePassXC write, and any CSV with name/url/username/password/notes
    /// columns. Columns without a place (TOTP seeds, folders, tags, custom fields) go into notes.
    static func rows(fromCSV text: String) throws -> [ImportedRow] {
        let table = try parseCSV(text)
        guard let header = table.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else { return [] }
        func column(_ names: [String]) -> Int? { names.lazy.compactMap { header.firstIndex(of: $0) }.first }
        let title = column(["name", "title"])
        let website = column(["login_uri", "url", "website", "login url"])
        let username = column(["login_username", "username", "user name", "login"])
        let password = column(["login_password", "password"])
        let notes = column(["notes", "note", "comments"])
        guard password != nil, title != nil || website != nil else {
            throw ImportError(row: 0, message: "the header row names no password and title/url columns")
        }
        let used = Set([title, website, username, password, notes].compactMap { $0 })
        let ignored: Set<String> = [
            "favorite", "reprompt", "type", "guid", "icon", "archived", "timecreated", "timelastused", "timepasswordchanged", "httprealm",
            "formactionorigin", "last modified", "created",
        ]
        return try table.dropFirst().enumerated().map { offset, values in
            let number = offset + 1
            guard values.count <= header.count else {
                throw ImportError(row: number, message: "has \(values.count) fields, the header has \(header.count)")
            }
            func value(_ index: Int?) -> String? {
                guard let index, index < values.count, !values[index].isEmpty else { return nil }
                return values[index]
            }
            var extras: [String] = []
            for (index, name) in header.enumerated() where !used.contains(index) && !ignored.contains(name) {
                if let extra = value(index) { extras.append("\(name): \(extra)") }
            }
            let site = value(website)
            let note = ([value(notes)].compactMap { $0 } + extras).joined(separator: "\n")
            return ImportedRow(
                row: number, title: value(title) ?? site.flatMap { URL(string: $0)?.host } ?? site ?? "", website: site, username: value(username),
                password: value(password) ?? "", notes: note.isEmpty ? nil : note)
        }
    }

    /// Bitwarden's unencrypted JSON export: login items (other types have no password and are
    /// reported as invalid rows). Extra URIs, TOTP seeds, custom fields and the folder go into notes.
    static func rows(fromBitwarden object: [String: Any]) throws -> [ImportedRow] {
        guard object["encrypted"] as? Bool != true else {
            throw ImportError(row: 0, message: "encrypted Bitwarden exports are not supported; export unencrypted JSON")
        }
        guard let items = object["items"] as? [[String: Any]] else { throw ImportError(row: 0, message: "no items array") }
        let folders = Dictionary(
            ((object["folders"] as? [[String: Any]]) ?? []).compactMap { folder -> (String, String)? in
                guard let id = folder["id"] as? String, let name = folder["name"] as? String else { return nil }
                return (id, name)
            }, uniquingKeysWith: { first, _ in first })
        return items.enumerated().map { offset, item in
            let login = item["login"] as? [String: Any] ?? [:]
            let uris = ((login["uris"] as? [[String: Any]]) ?? []).compactMap { $0["uri"] as? String }
            var extras: [String] = []
            if uris.count > 1 { extras += uris.dropFirst().map { "url: \($0)" } }
            if let totp = login["totp"] as? String, !totp.isEmpty { extras.append("totp: \(totp)") }
            for field in (item["fields"] as? [[String: Any]]) ?? [] {
                extras.append("\(field["name"] as? String ?? "field"): \(field["value"] as? String ?? "")")
            }
            if let folder = (item["folderId"] as? String).flatMap({ folders[$0] }) { extras.append("folder: \(folder)") }
            let note = ([item["notes"] as? String].compactMap { $0 } + extras).joined(separator: "\n")
            return ImportedRow(
                row: offset + 1, title: item["name"] as? String ?? "", website: uris.first, username: login["username"] as? String,
                password: login["password"] as? String ?? "", notes: note.isEmpty ? nil : note)
        }
    }
}

struct ImportError: Error {
    let row: Int
    let message: String
}
