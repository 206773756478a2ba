import Foundation
import Testing
@testable import FlowAWS

/// AWS's published SigV4 test suite (Fixtures/sigv4, copied from awslabs/aws-c-auth), header signing.
@Suite("SigV4 test-suite vectors")
struct SigV4VectorTests {
    @Test("all 38 upstream cases are present")
    func fixturesPresent() {
        #expect(SigV4Fixture.caseNames.count == 38)
    }

    @Test("vector", arguments: SigV4Fixture.caseNames)
    func vector(_ name: String) throws {
        let context = try SigV4Fixture.context(name)
        let date = try #require(context.date)
        let raw = SigV4RawRequest(try SigV4Fixture.text(name, "request.txt"))
        // post-sts-header-after: the harness adds the token after signing, so it is not signed.
        let omitToken = context.omit_session_token ?? false
        let credentials = AWSCredentials(
            accessKeyID: context.credentials.access_key_id, secretAccessKey: context.credentials.secret_access_key,
            sessionToken: omitToken ? nil : context.credentials.token, source: "test suite")
        let signer = SigV4Signer(
            credentials: credentials, region: context.region, signingName: context.service,
            options: .init(normalizesPath: context.normalize, encodesPathTwice: true,
                           addsContentSHA256Header: context.sign_body))

        var signed = signer.sign(raw.awsRequest(), at: date)
        let canonical = signer.canonicalRequest(signed)
        if omitToken, let token = context.credentials.token {
            signed.headers.append(("X-Amz-Security-Token", token))
        }

        #expect(canonical == (try SigV4Fixture.text(name, "header-canonical-request.txt")))
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, at: date)
        #expect(stringToSign == (try SigV4Fixture.text(name, "header-string-to-sign.txt")))
        #expect(signer.signature(stringToSign: stringToSign, at: date)
            == (try SigV4Fixture.text(name, "header-signature.txt")))

        let expected = SigV4RawRequest(try SigV4Fixture.text(name, "header-signed-request.txt"))
        let authorization = signed.headers.filter { $0.0 == "Authorization" }.map(\.1)
        #expect(authorization == [try #require(expected.header("Authorization"))])
        #expect(sigV4SortedHeaders(signed.headers) == sigV4SortedHeaders(expected.headers))
        #expect(signed.body == expected.body)
    }
}
