import FlowEngine

/// `flow.notify{ text, url?, event?, fields? }`.
public struct NotifyInput: Decodable, Sendable, Equatable {
    /// The message: Slack's `text` (mrkdwn), and a line for any other receiver.
    public var text: String
    /// One webhook for this message; without it, every `--notify` URL.
    public var url: String?
    /// The payload's `event` (default "notify"), for receivers that route on it.
    public var event: String?
    /// More top-level fields of the JSON body (Slack's `blocks`, `channel`, `username`,
    /// `icon_emoji`, or anything a receiver wants); they cannot replace the ones flow sets.
    public var fields: [String: StepValue]?

    public init(text: String, url: String? = nil, event: String? = nil, fields: [String: StepValue]? = nil) {
        self.text = text
        self.url = url
        self.event = event
        self.fields = fields
    }

    public static func check(_ input: NotifyInput) throws {
        if input.text.allSatisfy(\.isWhitespace) {
            throw StepArgumentError(path: ["text"], problem: "must say something, e.g. \"canary at 50 %\"")
        }
        if let url = input.url, let problem = WebhookURL.problem(url) {
            throw StepArgumentError(path: ["url"], problem: problem)
        }
        if let event = input.event, event.isEmpty || event.contains(where: { $0.isWhitespace }) {
            throw StepArgumentError(path: ["event"], problem: "must be a word such as \"approval_needed\"")
        }
        if let reserved = input.fields?.keys.sorted().first(where: { NotifyPlugin.reservedFields.contains($0) }) {
            throw StepArgumentError(path: ["fields", reserved], problem: "is set by flow; give it as the argument '\(reserved)' or choose another name")
        }
    }
}
