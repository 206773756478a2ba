extension ExecutionRunner {
    /// A resume acts where the run started: the journaled `--region` / `--profile` fill in what
    /// this command line leaves out, and a different value is refused rather than silently
    /// moving a half-done rollout to another region or account.
    func adoptSettings(_ journaled: [String: String]) throws {
        var settings = options.settings
        for (key, flag, current) in [("region", "--region", settings.region), ("profile", "--profile", settings.profile)] {
            guard let recorded = journaled[key] else { continue }
            if let current, current != recorded {
                throw RunError(.usage, "execution '\(id)' was started with \(flag) \(recorded); resuming it with \(flag) \(current) would act elsewhere: drop \(flag) or pass \(flag) \(recorded)")
            }
            if key == "region" { settings.region = recorded } else { settings.profile = recorded }
        }
        options.settings = settings
    }
}
