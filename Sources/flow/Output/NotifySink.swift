import FlowEngine
import FlowNotify
import Synchronization

/// `--notify URL` (repeatable): the run's milestones as webhook messages (RolloutNotices says
/// which, with a Slack-compatible `text`). `handle` only queues; the process-wide notifier
/// delivers in the background, and `finish` flushes it (bounded) when the command ends.
final class NotifySink: EventSink {
    /// One per process: one HTTP client and one queue per webhook, shared by every execution
    /// this process drives and by `flow.notify` steps.
    static let notifier = WebhookNotifier(report: { Console.info("flow: notify: " + $0) })

    let urls: [String]
    private let notices = Mutex(RolloutNotices())

    init(urls: [String]) {
        self.urls = urls
    }

    func handle(_ event: ExecutionEvent) {
        if urls.isEmpty { return }
        let now = WallClock.now()
        let payloads = notices.withLock { $0.payloads(for: event, now: now) }
        for p in payloads {
            for url in urls { Self.notifier.enqueue(WebhookMessage(url: url, kind: p.kind, fields: p.fields)) }
        }
    }

    /// Flushes the shared notifier (also what `flow.notify` steps queued, hence a sink even
    /// without `--notify`); at most `DeliveryPolicy.finishWithin` (5 s), then it gives up.
    func finish() async {
        await Self.notifier.finish()
    }

    /// `--notify` values must be http:// or https:// URLs: checked before anything runs.
    static func problem(_ urls: [String]) -> String? {
        for url in urls {
            if let problem = WebhookURL.problem(url) { return "--notify \(url): \(problem)" }
        }
        return nil
    }
}
