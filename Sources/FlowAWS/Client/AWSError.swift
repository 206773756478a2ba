/// A failed AWS call: the service's error, or the transport's when no response arrived.
/// Built only from the response and the request's name, never from headers or credentials, and
/// with the credentials' secrets cut out of what the response said (`redacting`), so it cannot
/// carry a secret even from an endpoint that echoes the request.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// The service id, e.g. "ECS".
    public var service: String
    public var operation: String
    /// The modeled error name ("ClusterNotFoundException"), or "NetworkError" / "Timeout" for
    /// transport failures, or "HTTP<status>" when the body names none.
    public var code: String
    public var message: String
    public var requestID: String?
    /// nil when no response arrived.
    public var httpStatus: Int?
    /// How many attempts were made before giving up.
    public var attempts: Int
    /// JSON services that used to speak Query (SQS) also send their old code in
    /// `x-amzn-query-error` ("AWS.SimpleQueueService.NonExistentQueue"); kept for callers that match on it.
    public var queryCode: String?

    public init(service: String, operation: String, code: String, message: String, requestID: String? = nil,
                httpStatus: Int? = nil, attempts: Int = 1, queryCode: String? = nil) {
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.requestID = requestID
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.queryCode = queryCode
    }

    /// This error with the secret key and session token of `credentials` cut out of every text
    /// the response supplied: an endpoint (a proxy, a mock, a careless service) may echo the
    /// signed request, token included, in its error message.
    public func redacting(_ credentials: AWSCredentials) -> AWSError {
        let secrets = [credentials.secretAccessKey, credentials.sessionToken ?? ""].filter { $0.count >= 8 }
        guard !secrets.isEmpty else { return self }
        func clean(_ text: String) -> String {
            secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
        }
        var e = self
        e.code = clean(code)
        e.message = clean(message)
        e.requestID = requestID.map(clean)
        e.queryCode = queryCode.map(clean)
        return e
    }

    public var description: String {
        var s = "\(service) \(operation) failed: \(code)"
        if !message.isEmpty { s += ": \(message)" }
        var details: [String] = []
        if let httpStatus { details.append("HTTP \(httpStatus)") }
        if let requestID { details.append("request id \(requestID)") }
        if !details.isEmpty { s += " (\(details.joined(separator: ", ")))" }
        if attempts > 1 { s += " after \(attempts) attempts" }
        return s
    }

    /// Codes AWS uses to say "slow down"; retried like 5xx.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotFound", "EC2ThrottledException",
    ]

    /// Whether another attempt may succeed: throttling, 5xx, 429, and transport failures.
    public var isRetryable: Bool {
        if Self.throttlingCodes.contains(code) { return true }
        guard let httpStatus else { return code == "NetworkError" || code == "Timeout" }
        return httpStatus >= 500 || httpStatus == 429
    }
}
