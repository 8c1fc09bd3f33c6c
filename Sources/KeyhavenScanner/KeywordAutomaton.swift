/// An Aho–Corasick automaton over ASCII-case-folded keywords, compiled to a dense DFA so that
/// the scan loop is one table load per byte: the prefilter that makes the scanner look at most
/// bytes exactly once. Only the neighbourhood of a keyword hit is handed to the regex engine.
public struct KeywordAutomaton: Sendable {
    /// `transitions[state << 8 | byte]` = next state << 1 | (1 if the next state ends a keyword).
    private let transitions: [UInt32]
    /// Keywords ending at each state (following failure links), flattened.
    private let outputStart: [Int32]
    private let outputs: [Int32]
    public let keywords: [[UInt8]]

    public init(keywords: [String]) {
        let folded = keywords.map { Array($0.utf8).map(Self.fold) }
        self.keywords = folded
        // Trie.
        var children: [[UInt8: Int]] = [[:]]
        var terminal: [[Int32]] = [[]]
        for (index, keyword) in folded.enumerated() where !keyword.isEmpty {
            var state = 0
            for byte in keyword {
                if let next = children[state][byte] {
                    state = next
                } else {
                    children.append([:])
                    terminal.append([])
                    children[state][byte] = children.count - 1
                    state = children.count - 1
                }
            }
            terminal[state].append(Int32(index))
        }
        // Failure links breadth first; each state's outputs include its failure state's outputs.
        let stateCount = children.count
        var failure = [Int](repeating: 0, count: stateCount)
        var table = [UInt32](repeating: 0, count: stateCount << 8)
        var order: [Int] = []
        var queue = [0]
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            order.append(state)
            for (byte, child) in children[state] {
                failure[child] = state == 0 ? 0 : Self.step(children, failure, from: failure[state], byte)
                queue.append(child)
            }
        }
        var collected = terminal
        for state in order where state != 0 {
            collected[state].append(contentsOf: collected[failure[state]])
        }
        // Dense DFA: the goto function where defined, else the failure state's transition
        // (computed already, since failure states are shallower and come first in `order`).
        for state in order {
            for byte in 0..<256 {
                let folded = Self.fold(UInt8(byte))
                let next: Int
                if let child = children[state][folded] {
                    next = child
                } else if state == 0 {
                    next = 0
                } else {
                    next = Int(table[failure[state] << 8 | byte] >> 1)
                }
                table[state << 8 | byte] = UInt32(next << 1) | (collected[next].isEmpty ? 0 : 1)
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

    private static func step(_ children: [[UInt8: Int]], _ failure: [Int], from start: Int, _ byte: UInt8) -> Int {
        var state = start
        while true {
            if let next = children[state][byte] { return next }
            if state == 0 { return 0 }
            state = failure[state]
        }
    }

    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }

    /// Calls `hit(keywordIndex, end)` for every occurrence of every keyword, case-insensitively,
    /// where `end` is the offset just past the occurrence. Occurrences come in order of `end`.
    @inlinable
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ hit: (Int, Int) -> Void) {
        transitionsAndOutputs { table, starts, outputs in
            var state = 0
            var index = 0
            let count = bytes.count
            while index < count {
                let entry = table[state << 8 | Int(bytes[index])]
                state = Int(entry >> 1)
                index += 1
                if entry & 1 != 0 {
                    for slot in Int(starts[state])..<Int(starts[state + 1]) {
                        hit(Int(outputs[slot]), index)
                    }
                }
            }
        }
    }

    @usableFromInline
    func transitionsAndOutputs(
        _ body: (UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>) -> Void
    ) {
        transitions.withUnsafeBufferPointer { table in
            outputStart.withUnsafeBufferPointer { starts in
                outputs.withUnsafeBufferPointer { flat in body(table, starts, flat) }
            }
        }
    }
}
