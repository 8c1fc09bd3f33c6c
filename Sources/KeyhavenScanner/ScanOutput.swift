public import Foundation

/// The three output formats of `keyhaven scan`.
public enum ScanOutputFormat: String, Sendable, CaseIterable {
    case text, json, sarif
}

public enum ScanOutput {
    /// `{"findings": [...], "stats": {...}, "errors": [...]}` as shared/API.md describes.
    public static func json(_ report: ScanReport) -> Data {
        struct Entry: Encodable {
            let path: String
            let line: Int
            let column: Int
            let rule_id: String
            let description: String
            let severity: Severity
            let redacted: String
            let fingerprint: String
        }
        struct Document: Encodable {
            let findings: [Entry]
            let stats: ScanStats
            let errors: [FileProblem]
        }
        let document = Document(
            findings: report.findings.map {
                Entry(
                    path: $0.path, line: $0.line, column: $0.column, rule_id: $0.ruleID, description: $0.description,
                    severity: $0.severity, redacted: $0.redacted, fingerprint: $0.fingerprint)
            }, stats: report.stats, errors: report.problems)
        return encode(document)
    }

    /// Lines a person reads: `path:line:column  severity  rule  redacted  description`, then a summary.
    public static func text(_ report: ScanReport) -> Data {
        var out = ""
        for finding in report.findings {
            out +=
                "\(finding.path):\(finding.line):\(finding.column)  \(finding.severity.rawValue)  \(finding.ruleID)  "
                + "\(finding.redacted)  \(finding.description)\n"
        }
        let stats = report.stats
        let megabytes = Double(stats.bytes) / 1_000_000
        out += "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s") in \(stats.files) file\(stats.files == 1 ? "" : "s") "
        out += "(\(String(format: "%.1f", megabytes)) MB, \(String(format: "%.2f", stats.seconds)) s)"
        var skipped: [String] = []
        if stats.skippedBinary > 0 { skipped.append("\(stats.skippedBinary) binary") }
        if stats.skippedTooLarge > 0 { skipped.append("\(stats.skippedTooLarge) too large") }
        if stats.skippedIgnored > 0 { skipped.append("\(stats.skippedIgnored) ignored") }
        if !skipped.isEmpty { out += "; skipped \(skipped.joined(separator: ", "))" }
        if stats.errors > 0 { out += "; \(stats.errors) file problem\(stats.errors == 1 ? "" : "s") (see stderr)" }
        return Data((out + "\n").utf8)
    }

    /// SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).
    public static func sarif(_ report: ScanReport, rules: RuleSet, toolVersion: String) -> Data {
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.rules.enumerated().map { ($1.id, $0) })
        let driverRules: [[String: Any]] = rules.rules.map { rule in
            [
                "id": rule.id,
                "name": camelCase(rule.id),
                "shortDescription": ["text": rule.description],
                "fullDescription": ["text": "\(rule.description) committed to the repository."],
                "help": [
                    "text":
                        "Revoke the secret with its issuer, replace it, and remove it from the code (use a secret store or environment variable)."
                ],
                "defaultConfiguration": ["level": level(rule.severity)],
                "properties": [
                    "tags": ["security", "secret", rule.category],
                    "security-severity": securitySeverity(rule.severity),
                    "precision": rule.isGeneric ? "medium" : "high",
                ],
            ]
        }
        let results: [[String: Any]] = report.findings.map { finding in
            var result: [String: Any] = [
                "ruleId": finding.ruleID,
                "level": level(finding.severity),
                "message": ["text": "\(finding.description) (\(finding.redacted))"],
                "locations": [
                    [
                        "physicalLocation": [
                            "artifactLocation": ["uri": sarifURI(finding.path)],
                            "region": [
                                "startLine": finding.line, "startColumn": finding.column,
                                "endLine": finding.endLine, "endColumn": finding.endColumn,
                            ],
                        ]
                    ]
                ],
                "partialFingerprints": ["keyhavenSecret/v1": finding.fingerprint],
            ]
            if let index = ruleIndex[finding.ruleID] { result["ruleIndex"] = index }
            return result
        }
        let document: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                [
                    "tool": [
                        "driver": [
                            "name": "Keyhaven", "semanticVersion": toolVersion, "informationUri": "https://github.com/keyhaven",
                            "rules": driverRules,
                        ]
                    ],
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                ]
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: return "error"
        case .medium: return "warning"
        case .low: return "note"
        }
    }

    static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: return "9.5"
        case .high: return "8.0"
        case .medium: return "5.5"
        case .low: return "3.0"
        }
    }

    static func camelCase(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Relative paths as SARIF URIs (percent-encoded, `./` dropped); absolute ones as file URLs.
    static func sarifURI(_ path: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).absoluteString }
        var relative = path
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        return relative.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? relative
    }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
