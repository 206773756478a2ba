// FlowNotify: webhook notifications for rollouts (`flow.notify{...}` and `--notify URL`).
// See README.md in this folder.
