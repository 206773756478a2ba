import Foundation

/// A profile's `credential_process`: a command that prints
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}` on stdout.
struct CredentialProcess {
    var command: String
    var profile: String
    var environment: [String: String]
    var timeout: Duration

    var label: String { "profile \(profile)" }

    func run() async throws -> AWSCredentials {
        let output: CredentialProcessRunner.Output
        do {
            output = try await CredentialProcessRunner.run(command, environment: environment, timeout: timeout)
        } catch {
            throw failure("\(error)")
        }
        // stdout is never echoed (it may hold half a set of keys); stderr is: it is where the
        // tool explains why it failed.
        let stderr = Self.excerpt(output.stderr)
        if output.timedOut {
            throw failure("credential_process did not finish within \(timeout) and was killed\(stderr)")
        }
        if let signal = output.signal {
            throw failure("credential_process was killed by signal \(signal)\(stderr)")
        }
        if let status = output.status, status != 0 {
            throw failure("credential_process exited with status \(status)\(stderr)")
        }
        let object = try CredentialsJSON.decodeProcessOutput(output.stdout, provider: label)
        guard object.version == 1 else {
            throw failure("credential_process printed Version \(object.version.map(String.init) ?? "none"); only Version 1 is supported")
        }
        return try CredentialsJSON.decode(output.stdout, provider: label,
                                          source: "credential_process of profile \(profile)")
    }

    private func failure(_ reason: String) -> CredentialsProviderError {
        // Only the program: arguments may carry a password or account id.
        let program = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? command
        return CredentialsProviderError(provider: label, kind: .failed, reason: reason + " (command: \(program))")
    }

    /// The last 2000 characters of stderr, trimmed: enough to see the tool's message, bounded so
    /// an error line stays readable.
    static func excerpt(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        text = String(text.trimmedINIWhitespace().trimmingCharacters(in: .whitespacesAndNewlines))
        guard !text.isEmpty else { return "" }
        if text.count > 2000 { text = "…" + text.suffix(2000) }
        return ": \(text)"
    }
}

extension CredentialsJSON {
    struct ProcessHeader {
        var version: Int?
    }

    static func decodeProcessOutput(_ bytes: [UInt8], provider: String) throws -> ProcessHeader {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw CredentialsProviderError(provider: provider, kind: .failed,
                                           reason: "credential_process did not print a JSON object")
        }
        return ProcessHeader(version: (object["Version"] as? NSNumber)?.intValue)
    }
}
