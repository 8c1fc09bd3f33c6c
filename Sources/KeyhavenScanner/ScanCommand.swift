import Foundation
import Glibc

/// `keyhaven scan PATH... [--format text|json|sarif] [--output FILE] [--rules FILE]
/// [--max-file-size N] [--threads N]`. Exit status: 0 nothing found, 1 findings, 2 error.
public enum ScanCommand {
    public static let usage = """
        usage: keyhaven scan PATH... [--format text|json|sarif] [--output FILE] [--rules FILE]
                                     [--max-file-size BYTES] [--threads N]

        Scans files and directories for secrets. Exit status: 0 nothing found, 1 secrets found, 2 error.
          --format         text (default), json, or sarif (SARIF 2.1.0 for GitHub code scanning)
          --output FILE    write the report to FILE instead of standard output
          --rules FILE     add rules from FILE (JSON, same format as the built-in rules; repeatable);
                           KEYHAVEN_SCAN_RULES may name more files, separated by ':'
          --max-file-size  skip files larger than this (bytes, or with K, M or G; default 50M)
          --threads N      worker threads (default: one per core)
        A .keyhavenignore in a scanned directory lists paths and fingerprints to skip; a line
        containing keyhaven:allow suppresses findings on that line.
        """

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    struct Arguments {
        var paths: [String] = []
        var format = ScanOutputFormat.text
        var output: String?
        var ruleFiles: [String] = []
        var options = LocalScanOptions()
    }

    /// Runs the command and returns the process exit status.
    public static func run(arguments: [String], environment: [String: String], version: String) -> Int32 {
        let parsed: Arguments
        do {
            parsed = try parse(arguments, environment: environment)
        } catch {
            warn("\(error)\n\n\(usage)")
            return 2
        }
        let rules: RuleSet
        do {
            rules = try RuleSet.load(additionalFiles: parsed.ruleFiles)
        } catch {
            warn("\(error)")
            return 2
        }
        let key = Array((environment["KEYHAVEN_SCAN_FINGERPRINT_KEY"] ?? "keyhaven-scan-fingerprint-v1").utf8)
        let scan = LocalScan(rules: rules, fingerprintKey: key, options: parsed.options)
        let showProgress = isatty(STDERR_FILENO) == 1
        let started = monotonicSeconds()
        let report: ScanReport
        do {
            report = try scan.run(paths: parsed.paths) { stats in
                guard showProgress, monotonicSeconds() - started > 1 else { return }
                let line = String(format: "\rscanning: %d files, %.1f MB…", stats.files, Double(stats.bytes) / 1e6)
                FileHandle.standardError.write(Data(line.utf8))
            }
        } catch {
            warn("\(error)")
            return 2
        }
        if showProgress && monotonicSeconds() - started > 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        for problem in report.problems.prefix(50) {
            warn("\(problem.skipped ? "skipped" : "warning"): \(problem.path): \(problem.message)")
        }
        if report.problems.count > 50 { warn("… and \(report.problems.count - 50) more file problems") }

        let data: Data
        switch parsed.format {
        case .text: data = ScanOutput.text(report)
        case .json: data = ScanOutput.json(report)
        case .sarif: data = ScanOutput.sarif(report, rules: rules, toolVersion: version)
        }
        if let output = parsed.output {
            do {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                warn("cannot write \(output): \(error.localizedDescription)")
                return 2
            }
        } else {
            FileHandle.standardOutput.write(data)
            if parsed.format != .text { FileHandle.standardOutput.write(Data("\n".utf8)) }
        }
        return report.findings.isEmpty ? 0 : 1
    }

    static func parse(_ arguments: [String], environment: [String: String]) throws -> Arguments {
        var result = Arguments()
        var index = 0
        func value(for flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(description: "\(flag) needs a value") }
            return arguments[index]
        }
        var onlyPaths = false
        while index < arguments.count {
            let argument = arguments[index]
            var flag = argument
            var inline: String?
            if !onlyPaths, argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            func flagValue() throws -> String { try inline ?? value(for: flag) }
            switch onlyPaths ? "" : flag {
            case "--":
                onlyPaths = true
            case "--format":
                let name = try flagValue()
                guard let format = ScanOutputFormat(rawValue: name) else {
                    throw UsageError(description: "unknown format \(name) (text, json or sarif)")
                }
                result.format = format
            case "--output", "-o":
                result.output = try flagValue()
            case "--rules":
                result.ruleFiles.append(try flagValue())
            case "--max-file-size":
                let text = try flagValue()
                guard let size = parseSize(text), size > 0 else {
                    throw UsageError(description: "--max-file-size: not a size: \(text)")
                }
                result.options.maximumFileSize = size
            case "--threads":
                let text = try flagValue()
                guard let threads = Int(text), (1...256).contains(threads) else {
                    throw UsageError(description: "--threads: expected 1 to 256, got \(text)")
                }
                result.options.threads = threads
            default:
                if !onlyPaths && argument.hasPrefix("-") && argument != "-" {
                    throw UsageError(description: "unknown option \(argument)")
                }
                result.paths.append(argument)
            }
            index += 1
        }
        if let extra = environment["KEYHAVEN_SCAN_RULES"], !extra.isEmpty {
            result.ruleFiles = extra.split(separator: ":").map(String.init) + result.ruleFiles
        }
        guard !result.paths.isEmpty else { throw UsageError(description: "no path to scan") }
        return result
    }

    /// `1048576`, `512K`, `50M`, `1G` (binary multiples).
    static func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let last = text.uppercased().last, let unit = units[last] {
            return Int(text.dropLast()).flatMap { $0.multipliedReportingOverflow(by: unit).overflow ? nil : $0 * unit }
        }
        return Int(text)
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("keyhaven: \(message)\n".utf8))
    }
}
