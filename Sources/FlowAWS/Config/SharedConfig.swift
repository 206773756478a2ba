import Foundation

/// `~/.aws/credentials` and `~/.aws/config`, located from an injected environment so that tests
/// and the CLI never read the real home directory by accident.
public struct SharedConfig: Sendable {
    /// Where the credentials file is (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials).
    public var credentialsPath: String?
    /// Where the config file is (AWS_CONFIG_FILE, else ~/.aws/config).
    public var configPath: String?
    /// Profiles of the credentials file; nil when the file does not exist.
    public var credentialsProfiles: [String: [String: String]]?
    /// Profiles of the config file (`[profile x]` → "x"); nil when the file does not exist.
    public var configProfiles: [String: [String: String]]?
    /// HOME, so messages can say "~/.aws/config" rather than a long absolute path.
    var home: String?

    public init(credentialsProfiles: [String: [String: String]]? = nil,
                configProfiles: [String: [String: String]]? = nil) {
        self.credentialsProfiles = credentialsProfiles
        self.configProfiles = configProfiles
    }

    /// Reads both files. A missing file is not an error (most machines have only one);
    /// a malformed one is, naming file:line.
    public static func load(environment: [String: String]) throws -> SharedConfig {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        var config = SharedConfig()
        config.home = home
        config.credentialsPath = path(environment["AWS_SHARED_CREDENTIALS_FILE"], default: ".aws/credentials", home: home)
        config.configPath = path(environment["AWS_CONFIG_FILE"], default: ".aws/config", home: home)
        if let p = config.credentialsPath, let text = try read(p) {
            config.credentialsProfiles = try SharedConfigParser.parse(text, path: p, kind: .credentials)
        }
        if let p = config.configPath, let text = try read(p) {
            config.configProfiles = try SharedConfigParser.parse(text, path: p, kind: .config)
        }
        return config
    }

    /// Parses one file's text; exposed so callers and tests can check a file without a HOME.
    public static func parse(_ text: String, path: String, kind: SharedConfigFileKind) throws -> [String: [String: String]] {
        try SharedConfigParser.parse(text, path: path, kind: kind)
    }

    /// The profile's settings from the config file (region, endpoint_url, credential_process...).
    public func configProfile(_ name: String) -> [String: String]? { configProfiles?[name] }

    /// The profile's settings from the credentials file.
    public func credentialsProfile(_ name: String) -> [String: String]? { credentialsProfiles?[name] }

    /// "~/.aws/credentials" for messages; absolute when outside HOME.
    var credentialsDisplayPath: String { display(credentialsPath ?? "~/.aws/credentials") }
    var configDisplayPath: String { display(configPath ?? "~/.aws/config") }

    private func display(_ path: String) -> String {
        guard let home, path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }

    private static func path(_ explicit: String?, default relative: String, home: String?) -> String? {
        if let explicit, !explicit.isEmpty {
            if explicit == "~" || explicit.hasPrefix("~/") {
                guard let home else { return nil }
                return home + explicit.dropFirst()
            }
            return explicit
        }
        guard let home else { return nil }
        return home + "/" + relative
    }

    private static func read(_ path: String) throws -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SharedConfigError(path: path, line: 0, message: "cannot read file")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
