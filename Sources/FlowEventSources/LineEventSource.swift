/// JSON lines from a file or stdin: one envelope per line, blank lines skipped, ending at EOF.
/// A line that is not a JSON object stops the source with an error naming the file and line; so
/// does a `deliver` that throws (the events before were delivered, the rest are not read).
public struct LineEventSource: EventSource {
    public enum Input: Sendable, Equatable {
        case file(String)
        /// `options.standardInput`, normally descriptor 0.
        case standardInput
    }

    public let input: Input
    let options: EventSourceOptions

    public var description: String {
        switch input {
        case .file(let path): "file:\(path)"
        case .standardInput: "-"
        }
    }

    public init(input: Input, options: EventSourceOptions = EventSourceOptions()) {
        self.input = input
        self.options = options
    }

    public func run(_ deliver: @Sendable (IncomingEvent) async throws -> Void) async throws {
        let reader: LineReader
        switch input {
        case .file(let path): reader = try LineReader(path: path, maxLine: options.maxBodyBytes)
        case .standardInput: reader = LineReader(descriptor: options.standardInput, name: "stdin", maxLine: options.maxBodyBytes)
        }
        defer { reader.closeDescriptor() }
        var number = 0
        while let line = try await reader.next() {
            number += 1
            let location = origin(number)
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { continue }
            if let problem = JSONEventText.problem(line) {
                throw EventSourceError(.badEvent, "line \(number) is \(problem); expected one event object per line",
                                       location: location)
            }
            var text = line[...]
            while let last = text.last, last == 0x0D || last == 0x20 || last == 0x09 { text.removeLast() }
            try await deliver(IncomingEvent(body: String(decoding: text, as: UTF8.self), origin: location))
        }
    }

    private func origin(_ line: Int) -> String {
        switch input {
        case .file(let path): "file:\(path):\(line)"
        case .standardInput: "stdin:\(line)"
        }
    }
}
