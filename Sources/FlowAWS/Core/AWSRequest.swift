/// An HTTP request before signing: what the protocol encoders produce and SigV4 signs.
public struct AWSHTTPRequest: Sendable, Equatable {
    public var method: String
    /// e.g. "https://route53.amazonaws.com" or "http://127.0.0.1:5000" (no trailing slash).
    public var endpoint: String
    /// The path as sent, already percent-encoded where needed, starting with "/".
    public var path: String
    /// Query parameters (unencoded names and values; the signer encodes them).
    public var query: [(String, String)]
    /// Header names as given; the signer lower-cases and trims them for the canonical request.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, endpoint: String, path: String = "/", query: [(String, String)] = [],
                headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.endpoint = endpoint
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public static func == (a: AWSHTTPRequest, b: AWSHTTPRequest) -> Bool {
        a.method == b.method && a.endpoint == b.endpoint && a.path == b.path && a.body == b.body
            && a.query.elementsEqual(b.query, by: { $0 == $1 }) && a.headers.elementsEqual(b.headers, by: { $0 == $1 })
    }
}
