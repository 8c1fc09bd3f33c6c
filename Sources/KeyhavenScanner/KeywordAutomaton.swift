/// An Aho–Corasick automaton over ASCII-case-folded keywords, compiled to a dense DFA so that
/// the scan loop is one table load per byte: the prefilter that makes the scanner look at most
/// bytes exactly once. Only the neighbourhood of a keyword hit is handed to the regex engine.
public struct KeywordAutomaton: Sendable {
    /// Bytes that occur in no keyword share class 0; the others get a class each (case folded),
    /// so a state's row has `classCount` entries instead of 256 and the table stays in cache.
    private let byteClasses: [UInt8]
    private let classCount: Int
    /// `transitions[state * classCount + class]` = (next state * classCount) << 1 | (1 if the next
    /// state ends a keyword): premultiplied, so the scan loop adds instead of multiplying.
    private let transitions: [UInt32]
    /// Keywords ending at each state (following failure links), flattened.
    private let outputStart: [Int32]
    private let outputs: [Int32]
    public let keywords: [[UInt8]]

    public init(keywords: [String]) {
        let folded = keywords.map { Array($0.utf8).map(Self.fold) }
        self.keywords = folded
        var classes = [UInt8](repeating: 0, count: 256)
        var nextClass = 1
        for byte in Set(folded.joined()).sorted() {
            classes[Int(byte)] = UInt8(nextClass)
            if byte >= 97 && byte <= 122 { classes[Int(byte) - 32] = UInt8(nextClass) }
            nextClass += 1
        }
        precondition(nextClass <= 256, "too many distinct keyword bytes")
        byteClasses = classes
        classCount = nextClass
        // Trie over classes.
        var children: [[Int: Int]] = [[:]]
        var terminal: [[Int32]] = [[]]
        for (index, keyword) in folded.enumerated() where !keyword.isEmpty {
            var state = 0
            for byte in keyword {
                let symbol = Int(classes[Int(byte)])
                if let next = children[state][symbol] {
                    state = next
                } else {
                    children.append([:])
                    terminal.append([])
                    children[state][symbol] = children.count - 1
                    state = children.count - 1
                }
            }
            terminal[state].append(Int32(index))
        }
        // Failure links breadth first; each state's outputs include its failure state's outputs.
        let stateCount = children.count
        var failure = [Int](repeating: 0, count: stateCount)
        var order: [Int] = []
        var queue = [0]
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            order.append(state)
            for (symbol, child) in children[state] {
                failure[child] = state == 0 ? 0 : Self.step(children, failure, from: failure[state], symbol)
                queue.append(child)
            }
        }
        var collected = terminal
        for state in order where state != 0 {
            collected[state].append(contentsOf: collected[failure[state]])
        }
        // Dense DFA: the goto function where defined, else the failure state's transition
        // (computed already: failure states are shallower and come first in `order`).
        let width = nextClass
        var table = [UInt32](repeating: 0, count: stateCount * width)
        for state in order {
            for symbol in 0..<width {
                let next: Int
                if symbol != 0, let child = children[state][symbol] {
                    next = child
                } else if state == 0 {
                    next = 0
                } else {
                    next = Int(table[failure[state] * width + symbol] >> 1) / width
                }
                table[state * width + symbol] = UInt32((next * width) << 1) | (collected[next].isEmpty ? 0 : 1)
            }
        }
        transitions = table
        var starts: [Int32] = []
        var flat: [Int32] = []
        starts.reserveCapacity(stateCount + 1)
        for state in 0..<stateCount {
            starts.append(Int32(flat.count))
            flat.append(contentsOf: collected[state])
        }
        starts.append(Int32(flat.count))
        outputStart = starts
        outputs = flat
    }

    private static func step(_ children: [[Int: Int]], _ failure: [Int], from start: Int, _ symbol: Int) -> Int {
        var state = start
        while true {
            if let next = children[state][symbol] { return next }
            if state == 0 { return 0 }
            state = failure[state]
        }
    }

    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }

    /// Calls `hit(keywordIndex, end)` for every occurrence of every keyword, case-insensitively,
    /// where `end` is the offset just past the occurrence. Occurrences come in order of `end`.
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ hit: (Int, Int) -> Void) {
        byteClasses.withUnsafeBufferPointer { classes in
            transitions.withUnsafeBufferPointer { table in
                var row = 0  // state * classCount
                var index = 0
                let count = bytes.count
                while index < count {
                    // The loop carries only `row` and `index`; hits are handled out of line.
                    let entry = table[row &+ Int(classes[Int(bytes[index])])]
                    row = Int(entry >> 1)
                    index &+= 1
                    if entry & 1 != 0 { report(state: row / classCount, end: index, hit) }
                }
            }
        }
    }

    @inline(never)
    private func report(state: Int, end: Int, _ hit: (Int, Int) -> Void) {
        for slot in Int(outputStart[state])..<Int(outputStart[state + 1]) {
            hit(Int(outputs[slot]), end)
        }
    }

    /// Whether any keyword occurs in `bytes`, case-insensitively.
    public func containsAny(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var found = false
        scan(bytes) { _, _ in found = true }
        return found
    }
}
