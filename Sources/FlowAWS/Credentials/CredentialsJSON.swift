import Foundation

/// The JSON documents credential_process, the container endpoint and IMDS return. They share
/// AccessKeyId/SecretAccessKey/Expiration and differ in the token's name (SessionToken vs Token).
enum CredentialsJSON {
    /// Decodes credentials; errors name the missing field, never echo the document (it holds secrets).
    static func decode(_ bytes: [UInt8], provider: String, source: String) throws -> AWSCredentials {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw CredentialsProviderError(provider: provider, kind: .failed, reason: "response is not a JSON object")
        }
        if let code = object["Code"] as? String, code != "Success" {
            let message = (object["Message"] as? String).map { ": \($0)" } ?? ""
            throw CredentialsProviderError(provider: provider, kind: .failed, reason: "returned Code \(code)\(message)")
        }
        func field(_ name: String) throws -> String {
            guard let value = object[name] as? String, !value.isEmpty else {
                throw CredentialsProviderError(provider: provider, kind: .failed, reason: "response has no \(name)")
            }
            return value
        }
        let accessKey = try field("AccessKeyId")
        let secret = try field("SecretAccessKey")
        let token = (object["SessionToken"] as? String) ?? (object["Token"] as? String)
        var expiration: ContinuousClock.Instant?
        if let text = object["Expiration"] as? String {
            expiration = try instant(fromISO8601: text, provider: provider, field: "Expiration")
        }
        return AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret,
                              sessionToken: token.flatMap { $0.isEmpty ? nil : $0 },
                              expiration: expiration, source: source)
    }

    /// Wall-clock expiry → monotonic instant, so a later clock change cannot make stale
    /// credentials look fresh.
    static func instant(fromISO8601 text: String, provider: String, field: String,
                        now: ContinuousClock.Instant = .now, wallNow: Date = Date()) throws -> ContinuousClock.Instant {
        guard let date = parseISO8601(text) else {
            throw CredentialsProviderError(provider: provider, kind: .failed, reason: "\(field) '\(text)' is not an ISO 8601 time")
        }
        return now.advanced(by: .seconds(date.timeIntervalSince(wallNow)))
    }

    static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
