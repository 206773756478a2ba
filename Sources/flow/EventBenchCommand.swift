import ArgumentParser
import FlowEvents
import FlowLua
import Foundation

/// `flow event bench`: pattern-matching throughput against 1 and 100 patterns, on a real ECS
/// task event (docs/PERFORMANCE.md). Parsing the event is measured apart from matching.
struct EventBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure event-pattern matching: events/s against 1 and 100 patterns, and event parsing.",
        discussion: """
            Examples:
              flow event bench
              flow event bench --events 50000 --runs 3 --json
            """)

    @Option(help: "Events per run (default 200000).")
    var events = 200_000

    @Option(help: "Runs; the median is reported (default 5).")
    var runs = 5

    @OptionGroup var output: OutputOptions  // json: the rates (events/s) as one object on stdout

    func validate() throws {
        guard events > 0, runs > 0 else { throw ValidationError("--events and --runs must be at least 1") }
    }

    /// The seed architecture's filter; the others differ in the container name, so an event is
    /// tested against all of them and matches one.
    static func pattern(container: String) -> String {
        #"{"source":["aws.ecs"],"detail-type":["ECS Task State Change"],"detail":{"lastStatus":["RUNNING"],"desiredStatus":["RUNNING"],"containers":{"name":["\#(container)"]}}}"#
    }

    /// An "ECS Task State Change" event of the shape AWS documents (two containers, as the seed's green task).
    static let event = #"""
        {"version":"0","id":"3317b2af-7005-947d-b652-f55e762e571a","detail-type":"ECS Task State Change","source":"aws.ecs",
         "account":"111122223333","time":"2020-01-23T17:57:58Z","region":"us-west-2",
         "resources":["arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad"],
         "detail":{"attachments":[{"id":"1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8","type":"eni","status":"ATTACHED",
           "details":[{"name":"subnetId","value":"subnet-abcd1234"},{"name":"privateIPv4Address","value":"10.0.0.139"}]}],
           "availabilityZone":"us-west-2c","clusterArn":"arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster",
           "containers":[{"containerArn":"arn:aws:ecs:us-west-2:111122223333:container/cf159fd6-3e3f-4a9e-84f9-66cbe726af01",
             "lastStatus":"RUNNING","name":"green-app","image":"111122223333.dkr.ecr.us-west-2.amazonaws.com/green:2","cpu":"0"},
             {"containerArn":"arn:aws:ecs:us-west-2:111122223333:container/0b1b0e8a-5a9f-4e53-b5c1-5c1a3a7d3a11",
             "lastStatus":"RUNNING","name":"busybox","image":"busybox","cpu":"0"}],
           "createdAt":"2020-01-23T17:57:34.402Z","launchType":"FARGATE","cpu":"256","memory":"512",
           "desiredStatus":"RUNNING","group":"service:green","lastStatus":"RUNNING","connectivity":"CONNECTED",
           "taskArn":"arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad",
           "taskDefinitionArn":"arn:aws:ecs:us-west-2:111122223333:task-definition/green:2","version":4}}
        """#

    func run() throws {
        let parsed = try JSONValue.parse(Self.event)
        let one = try EventPattern(Self.pattern(container: "green-app"))
        let hundred = EventPatternSet(try (0..<100).map { i in
            try EventPattern(Self.pattern(container: i == 99 ? "green-app" : "app-\(i)"))
        })
        guard one.matches(parsed), hundred.matching(parsed) == [99] else {
            throw ValidationError("the benchmark's patterns do not match its event as they should")
        }
        let n = events
        func median(_ body: () throws -> Void) rethrows -> Double {
            var rates: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                try body()
                let d = ContinuousClock.now - start
                let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                rates.append(Double(n) / seconds)
            }
            return rates.sorted()[rates.count / 2]
        }
        var sink = 0
        let rateOne = median { for _ in 0..<n where one.matches(parsed) { sink += 1 } }
        let hundredN = max(1, n / 50)
        var rateHundred = 0.0
        do {
            var rates: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                for _ in 0..<hundredN where hundred.matchesAny(parsed) { sink += 1 }
                let d = ContinuousClock.now - start
                rates.append(Double(hundredN) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
            }
            rateHundred = rates.sorted()[rates.count / 2]
        }
        let parseN = max(1, n / 20)
        var parseRates: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            for _ in 0..<parseN { if (try? JSONValue.parse(Self.event)) != nil { sink += 1 } }
            let d = ContinuousClock.now - start
            parseRates.append(Double(parseN) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
        }
        let rateParse = parseRates.sorted()[parseRates.count / 2]
        precondition(sink > 0)
        if output.isJSON {
            Console.out(JSONText.render([
                "runs": .int(Int64(runs)), "events": .int(Int64(n)), "cores": .int(Int64(ProcessInfo.processInfo.activeProcessorCount)),
                "one_pattern_per_second": .int(Int64(rateOne.rounded())), "hundred_patterns_per_second": .int(Int64(rateHundred.rounded())),
                "parse_per_second": .int(Int64(rateParse.rounded())),
            ] as LuaValue, pretty: true))
            return
        }
        func fmt(_ r: Double) -> String { String(format: "%12.0f events/s  (%.2f µs each)", r, 1e6 / r) }
        print("event-pattern matching, median of \(runs) runs (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("  1 pattern (the seed's filter):        " + fmt(rateOne))
        print("  100 patterns (one matches):           " + fmt(rateHundred))
        print("  parsing the event (\(Self.event.utf8.count) bytes):      " + fmt(rateParse))
    }
}
