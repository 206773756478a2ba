import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--help` of every command and `flow --generate-completion-script`. The commands are read from
/// `flow --help` (and, for a command with subcommands, from its own help), so a new command
/// without an example in its help fails here.
@Suite("help and shell completion")
struct HelpTests {
    /// Some commands the listing must find (a check of the parsing, not the whole list).
    static let known: Set<String> = [
        "run", "resume", "status", "list", "history", "show", "signal", "promote", "pause", "unpause", "retry",
        "cancel", "abort", "check", "bench", "event", "event test", "event bench", "watch",
    ]

    /// The names in a help text's SUBCOMMANDS section: lines of two spaces, a name, then two
    /// spaces and its abstract (or the end of the line).
    static func subcommands(in help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("SUBCOMMANDS:") }) else { return [] }
        var names: [String] = []
        for line in lines[(start + 1)...] {
            if !line.isEmpty && !line.hasPrefix(" ") { break }  // the next section
            if let m = line.wholeMatch(of: #/  ([a-z][a-z0-9-]*)(?: {2,}.*)?/#) { names.append(String(m.1)) }
        }
        return names
    }

    /// Every command path under `flow` (["event", "test"] for `flow event test`) with its
    /// `--help` result, read from the help texts themselves.
    static func commands(_ sb: Sandbox) async throws -> [(path: [String], help: CLIResult)] {
        let root = try await sb.flow(["--help"], home: false)
        #expect(root.code == 0, "\(root)")
        var queue = subcommands(in: root.stdout).map { [$0] }
        var found: [(path: [String], help: CLIResult)] = []
        while !queue.isEmpty {
            let path = queue.removeFirst()
            let r = try await sb.flow(path + ["--help"], home: false)
            found.append((path, r))
            queue += subcommands(in: r.stdout).map { path + [$0] }
        }
        return found
    }

    @Test("every command's --help exits 0 and shows an example of that command")
    func examples() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let commands = try await Self.commands(sb)
        let names = Set(commands.map { $0.path.joined(separator: " ") })
        #expect(Self.known.isSubset(of: names), "commands missing from the help listing: \(Self.known.subtracting(names).sorted())")
        for (path, r) in commands {
            let command = "flow " + path.joined(separator: " ")
            #expect(r.code == 0, "\(command) --help: \(r)")
            #expect(r.stderr.isEmpty, "\(command) --help wrote to stderr: \(r)")
            // "Example: flow ..." on one line, or an "Example:"/"Examples:" line and the example(s) under it.
            let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            guard let at = lines.firstIndex(where: { $0.hasPrefix("Example:") || $0.hasPrefix("Examples:") }) else {
                Issue.record("\(command) --help has no example (a line starting with Example: or Examples:):\n\(r.stdout)")
                continue
            }
            let block = lines[at...].prefix { !$0.hasPrefix("USAGE:") }.joined(separator: "\n")
            #expect(block.contains(command + " ") || block.contains(command + "\n"),
                    "\(command) --help: its examples do not run \(command):\n\(block)")
        }
    }

    @Test("flow --help lists the exit codes of ExitCodes.swift: 0-6, 70, 130")
    func exitCodes() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let r = try await sb.flow(["--help"], home: false)
        #expect(r.code == 0, "\(r)")
        let listed = Self.exitCodes(in: r.stdout)
        #expect(listed == [0, 1, 2, 3, 4, 5, 6, 70, 130], "flow --help lists the exit codes \(listed.sorted()):\n\(r.stdout)")

        let source = Sandbox.readText(FlowBinary.packageRoot + "/Sources/flow/ExitCodes.swift")
        let defined = Set(source.matches(of: /static let \w+: Int32 = (\d+)/).compactMap { Int($0.1) })
        #expect(!defined.isEmpty, "no exit codes found in Sources/flow/ExitCodes.swift")
        #expect(listed == defined, "flow --help lists \(listed.sorted()); ExitCodes.swift defines \(defined.sorted())")

        let readme = Sandbox.readText(FlowBinary.packageRoot + "/README.md")
        #expect(Self.exitCodes(in: readme) == defined, "README.md's exit codes differ from ExitCodes.swift's \(defined.sorted())")
    }

    /// The codes of the paragraph starting "Exit codes:" ("0 succeeded, 1 the workflow failed, ...").
    static func exitCodes(in text: String) -> Set<Int> {
        guard let start = text.range(of: "Exit codes:") else { return [] }
        let paragraph = text[start.upperBound...].split(separator: "\n\n", maxSplits: 1).first ?? ""
        let joined = paragraph.split(whereSeparator: \.isNewline).joined(separator: " ")
        return Set(joined.matches(of: #/(?:^|,) *(\d+) /#).compactMap { Int($0.1) })
    }

    @Test("flow --generate-completion-script bash|zsh|fish covers every command", arguments: ["bash", "zsh", "fish"])
    func completionScripts(shell: String) async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        let r = try await sb.flow(["--generate-completion-script", shell], home: false)
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        let paths = try await Self.commands(sb).map(\.path)
        #expect(paths.count >= Self.known.count)
        for path in paths {
            // bash and zsh: a function per command (_flow_event_test); fish: conditions naming it ("flow event test").
            let marker = shell == "fish" ? "\"flow \(path.joined(separator: " "))\"" : "_flow_\(path.joined(separator: "_"))()"
            #expect(r.stdout.contains(marker), "the \(shell) script does not complete flow \(path.joined(separator: " ")) (no \(marker))")
        }
        // Execution ids come from flow itself (---completion), workflow files are .lua files.
        #expect(r.stdout.contains("---completion status"), "the \(shell) script does not complete execution ids")
        #expect(r.stdout.contains("lua"), "the \(shell) script does not complete .lua files")
    }

    @Test("bash completes execution ids from --home or FLOW_HOME, .lua workflows and .json parameter files")
    func bashCompletes() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        for id in ["canary-2026-11-26-1200-ab12", "canary-2026-11-27-0900-cd34", "hello-20261126-120000-ef56"] {
            try FileManager.default.createDirectory(atPath: sb.executionDirectory(id) + "/journal", withIntermediateDirectories: true)
        }
        try sb.write("canary.lua", "")
        try sb.write("canary-prod.json", "{}")
        try sb.write("notes.txt", "")

        // What bash does on TAB: COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT, then the function `complete` names.
        let script = """
            source <("$FLOW" --generate-completion-script bash) || exit 9
            complete -p flow >/dev/null || exit 8
            try() {
              COMP_LINE="$FLOW $1"; COMP_POINT=${#COMP_LINE}
              read -ra COMP_WORDS <<< "$COMP_LINE"
              [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
              COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
              _flow flow "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
              echo "$1=> $(printf '%s\\n' "${COMPREPLY[@]}" | sort | tr '\\n' ' ')"
            }
            try "status --home \(sb.home) "
            try "abort can"
            try "promote --reason x hello"
            try "run "
            try "run canary.lua --params "
            try "resume --sync "
            try "sta"
            """
        var env = ProcessInfo.processInfo.environment
        env["FLOW"] = sb.binary
        env["FLOW_HOME"] = sb.home
        let out = sb.dir + "/.io/bash.out", err = sb.dir + "/.io/bash.err"
        let pid = try Spawner.spawn("/bin/bash", arguments: ["--norc", "-c", script], environment: env, directory: sb.dir,
                                    stdout: out, stderr: err)
        let r = await FlowProcess(pid: pid, args: ["bash"], stdoutPath: out, stderrPath: err, started: .now).wait()
        #expect(r.code == 0 && !r.timedOut, "\(r)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        func completions(_ line: String) -> [String] {
            guard let hit = lines.first(where: { $0.hasPrefix(line + "=> ") }) else { return [] }
            return hit.dropFirst(line.count + 3).split(separator: " ").map(String.init)
        }
        #expect(completions("status --home \(sb.home) ")
                    == ["canary-2026-11-26-1200-ab12", "canary-2026-11-27-0900-cd34", "hello-20261126-120000-ef56"], "\(r)")
        #expect(completions("abort can") == ["canary-2026-11-26-1200-ab12", "canary-2026-11-27-0900-cd34"], "\(r)")
        #expect(completions("promote --reason x hello") == ["hello-20261126-120000-ef56"], "\(r)")
        let run = completions("run ")
        #expect(run.contains("canary.lua") && !run.contains("notes.txt") && !run.contains("canary-prod.json"), "\(r)")
        let params = completions("run canary.lua --params ")
        #expect(params.contains("canary-prod.json") && !params.contains("canary.lua"), "\(r)")
        #expect(completions("resume --sync ") == ["always", "batch", "none"], "\(r)")
        #expect(completions("sta") == ["status"], "\(r)")
    }
}
