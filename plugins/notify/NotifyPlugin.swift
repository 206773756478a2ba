import FlowEngine
import Synchronization

/// `flow.notify{ text = "...", url = optional, event = optional, fields = optional }` (and
/// `require "flow.notify"`'s `send`): a native step that queues a webhook message and completes
/// at once. Being a step, it is journaled: a resume answers it from the journal and never
/// sends it again. Returns true when the message was queued, false when there is nowhere to
/// send it (no `url` and no `--notify`), which is logged once.
///
/// Delivery happens after the step, in the background (`WebhookNotifier`): a process killed
/// before its queue drained loses the message, and one killed while the step was in flight may
/// send it twice; every message carries `key` = `EXECUTION:SEQ` so a receiver can drop repeats.
public struct NotifyPlugin: StepPlugin {
    public let name = "notify"
    public let summary = "Post a message to a webhook (JSON with a Slack-compatible text), without waiting for it."
    let notifier: WebhookNotifier
    let defaultURLs: [String]
    private let warnedNoURL = DoneFlag()

    /// Body fields flow sets itself.
    static let reservedFields: Set<String> = ["text", "event", "execution_id", "seq", "key", "time"]

    public init(notifier: WebhookNotifier, defaultURLs: [String]) {
        self.notifier = notifier
        self.defaultURLs = defaultURLs
    }

    public var functions: [StepFunction] {
        let notifier = self.notifier, defaultURLs = self.defaultURLs, warned = warnedNoURL
        return [
            // Idempotent in the sense that matters for a resume: a second delivery carries the
            // same key.
            .make("send", summary: "Queue a webhook message; returns true at once (false when no URL is known).",
                  idempotent: true, input: NotifyInput.self, validate: NotifyInput.check) { input, context in
                let urls = input.url.map { [$0] } ?? defaultURLs
                if urls.isEmpty {
                    if warned.setOnce() {
                        notifier.report("flow.notify has no webhook: give it url = \"https://...\" or run with --notify URL (nothing sent)")
                    }
                    return false
                }
                var fields = input.fields ?? [:]
                fields["text"] = .string(input.text)
                fields["event"] = .string(input.event ?? "notify")
                fields["execution_id"] = .string(context.executionID)
                fields["seq"] = .int(Int64(context.seq))
                fields["key"] = .string("\(context.executionID):\(context.seq)")
                fields["time"] = .string(WallClock.iso8601(WallClock.now()))
                for url in urls {
                    notifier.enqueue(WebhookMessage(url: url, kind: input.event ?? "notify", fields: fields))
                }
                context.logger.debug("flow.notify queued for \(urls.count) webhook(s)")
                return true
            },
        ]
    }
}
