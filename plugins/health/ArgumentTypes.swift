import FlowEngine

/// `names = "web-5xx"` or `names = {"web-5xx", "web-latency"}`.
struct StringList: Decodable, Sendable, Equatable {
    var values: [String]

    init(from decoder: any Decoder) throws {
        let path = decoder.codingPath.map(\.stringValue)
        switch try decoder.singleValueContainer().decode(StepValue.self) {
        case .string(let s):
            values = [s]
        case .array(let items):
            values = try items.enumerated().map { i, item in
                guard case .string(let s) = item else {
                    throw StepArgumentError(path: path + ["[\(i + 1)]"], problem: "string expected, got \(item.typeName)")
                }
                return s
            }
        case let other:
            throw StepArgumentError(path: path, problem: "a name or a list of names expected, got \(other.typeName)")
        }
    }
}

/// `expect_status = 200` or `expect_status = {200, 204}`.
struct StatusList: Decodable, Sendable, Equatable {
    var codes: [Int]

    init(_ codes: [Int]) { self.codes = codes }

    init(from decoder: any Decoder) throws {
        let path = decoder.codingPath.map(\.stringValue)
        func code(_ v: StepValue, _ at: [String]) throws -> Int {
            guard case .int(let n) = v, (100...599).contains(n) else {
                throw StepArgumentError(path: at, problem: "an HTTP status from 100 to 599 expected, got \(Threshold.show(v))")
            }
            return Int(n)
        }
        switch try decoder.singleValueContainer().decode(StepValue.self) {
        case .array(let items):
            codes = try items.enumerated().map { try code($1, path + ["[\($0 + 1)]"]) }
        case let single:
            codes = [try code(single, path)]
        }
    }
}

/// `alarms` and `alarm_states` take exactly one of `names` and `prefix`.
func alarmSelection(names: StringList?, prefix: String?) throws -> AlarmSelection {
    switch (names, prefix) {
    case (let names?, nil):
        guard !names.values.isEmpty, !names.values.contains("") else {
            throw StepArgumentError(path: ["names"], problem: "alarm names must not be empty")
        }
        return .names(names.values)
    case (nil, let prefix?):
        guard !prefix.isEmpty else {
            throw StepArgumentError(path: ["prefix"], problem: "an empty prefix would match every alarm; name them instead")
        }
        return .prefix(prefix)
    case (.some, .some):
        throw StepArgumentError(path: [], problem: "give names or prefix, not both")
    case (nil, nil):
        throw StepArgumentError(path: [], problem: "names or prefix is required")
    }
}
