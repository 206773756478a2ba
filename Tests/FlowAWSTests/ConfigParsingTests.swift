import Testing
@testable import FlowAWS

@Suite struct ConfigParsingTests {
    @Test func configFileProfilesCommentsAndWhitespace() throws {
        let text = """
            # a comment
            ; another comment
            [default]
            region = eu-west-3
            [ profile  dev ]   # trailing comment on a header
            region=ap-southeast-2
            endpoint_url =   http://localhost:4566\t
            [sso-session corp]
            sso_region = us-east-1
            [dev2]
            region = us-west-2
            [profile x]
            s3 =
              max_concurrent_requests = 10
            REGION = cn-north-1

            """
        let profiles = try SharedConfig.parse(text, path: "/h/.aws/config", kind: .config)
        #expect(profiles["default"] == ["region": "eu-west-3"])
        #expect(profiles["dev"] == ["region": "ap-southeast-2", "endpoint_url": "http://localhost:4566"])
        // `[dev2]` without "profile " and `[sso-session ...]` are not profiles in the config file.
        #expect(profiles["dev2"] == nil)
        #expect(profiles["sso-session corp"] == nil && profiles["corp"] == nil)
        #expect(profiles["x"]?["region"] == "cn-north-1")
        #expect(profiles["x"]?["max_concurrent_requests"] == nil)
    }

    @Test func credentialsFileUsesBareNames() throws {
        let text = """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = secret/with=equals
            [profile dev]
            aws_access_key_id = AKIDODD
            [dev]
            aws_access_key_id = AKIDDEV
            """
        let profiles = try SharedConfig.parse(text, path: "c", kind: .credentials)
        #expect(profiles["default"]?["aws_secret_access_key"] == "secret/with=equals")
        #expect(profiles["dev"]?["aws_access_key_id"] == "AKIDDEV")
        #expect(profiles["profile dev"]?["aws_access_key_id"] == "AKIDODD")
    }

    @Test(arguments: [
        ("[default]\nregion = x\nthis is not a property\n", 3, "expected 'key = value'"),
        ("region = us-east-1\n", 1, "outside of any [section]"),
        ("# ok\n[default\n", 2, "missing ']'"),
        ("[default]\n = value\n", 2, "empty name"),
        ("[]\n", 1, "empty section name"),
        ("[default] junk\n", 1, "unexpected text"),
    ])
    func malformedLinesNameFileAndLine(text: String, line: Int, message: String) {
        #expect {
            try SharedConfig.parse(text, path: "/home/u/.aws/config", kind: .config)
        } throws: { error in
            let error = error as? SharedConfigError
            return error?.line == line && "\(error!)".hasPrefix("/home/u/.aws/config:\(line): ")
                && "\(error!)".contains(message)
        }
    }

    @Test func loadHonoursFileVariablesAndMissingFiles() throws {
        let home = try TemporaryHome(config: "[profile p]\nregion = eu-west-3\n")
        defer { home.remove() }
        try home.write("[p]\naws_access_key_id = A\n", to: "elsewhere")
        var environment = home.environment
        var shared = try SharedConfig.load(environment: environment)
        #expect(shared.credentialsProfiles == nil)
        #expect(shared.configProfile("p")?["region"] == "eu-west-3")

        environment["AWS_SHARED_CREDENTIALS_FILE"] = home.path + "/elsewhere"
        environment["AWS_CONFIG_FILE"] = home.path + "/missing"
        shared = try SharedConfig.load(environment: environment)
        #expect(shared.credentialsProfile("p")?["aws_access_key_id"] == "A")
        #expect(shared.configProfiles == nil)
    }

    @Test func loadReportsTheRealPathOfABadFile() throws {
        let home = try TemporaryHome(credentials: "[default]\naws_access_key_id = A\ngarbage\n")
        defer { home.remove() }
        #expect(throws: SharedConfigError(path: home.path + "/.aws/credentials", line: 3,
                                          message: "expected 'key = value' or '[section]'")) {
            try SharedConfig.load(environment: home.environment)
        }
    }
}
