import Foundation
import Testing

@testable import KeyhavenScanner

/// Table-driven: every built-in rule has true positives and near misses in
/// Fixtures/rule-cases.json (written by scripts/bench/scanner/make-fixtures.py from random,
/// format-valid fake secrets).
struct RuleFixtureTests {
    struct Case: Decodable, Sendable, CustomStringConvertible {
        let rule: String
        let text: String
        let secret: String
        let nearMiss: String
        var description: String { rule }

        enum CodingKeys: String, CodingKey {
            case rule, text, secret
            case nearMiss = "near_miss"
        }
    }

    static let cases: [Case] = {
        guard let url = Bundle.module.url(forResource: "rule-cases", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url), let cases = try? JSONDecoder().decode([Case].self, from: data)
        else { fatalError("Fixtures/rule-cases.json is missing or malformed") }
        return cases
    }()

    @Test func everyRuleHasCases() {
        let covered = Set(Self.cases.map(\.rule))
        let missing = builtInRules.rules.map(\.id).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "rules without fixtures: \(missing)")
        #expect(builtInRules.rules.count(where: { !$0.isGeneric }) >= 60)
    }

    @Test(arguments: cases)
    func truePositiveIsFoundByItsRule(_ fixture: Case) throws {
        let findings = scan(fixture.text)
        let expected = try #require(byteRange(of: fixture.secret, in: fixture.text))
        let hit = findings.first { $0.ruleID == fixture.rule }
        #expect(hit != nil, "\(fixture.rule) missed: \(fixture.text.prefix(200))")
        #expect(hit.map { $0.offset..<($0.offset + $0.length) } == expected, "wrong secret range")
        // Nothing else claims the same bytes.
        let others = findings.filter { $0.ruleID != fixture.rule && ($0.offset..<($0.offset + $0.length)).overlaps(expected) }
        #expect(others.isEmpty, "also reported by \(others.map(\.ruleID))")
    }

    @Test(arguments: cases)
    func nearMissIsNotReportedByItsRule(_ fixture: Case) {
        let findings = scan(fixture.nearMiss)
        #expect(!findings.contains { $0.ruleID == fixture.rule }, "\(fixture.rule) fired on: \(fixture.nearMiss.prefix(200))")
    }
}
