import FlowAWS
import FlowEngine
import FlowLua
import FlowPluginSupport
import FlowRoute53
import FlowTestSupport
import Testing

/// `route53.weights` and `route53.set_weights` against moto (one named server, reset per test),
/// and against a small stand-in server where moto is lenient (PENDING changes, lost changes).
@Suite(.serialized) struct Route53PluginTests {
    static let name = "api.example.com."

    /// A zone with three weighted CNAME sets on `name`, a plain record beside them, and
    /// weighted alias A sets on alias.example.com.
    static func seed(_ moto: MotoServer, zoneName: String = "example.com.") async throws -> String {
        try await R53Test.zone(moto.client(), [
            R53Test.cname(name, "blue", 100, "blue-alb.us-east-1.elb.amazonaws.com"),
            R53Test.cname(name, "green", 0, "green-alb.us-east-1.elb.amazonaws.com"),
            R53Test.cname(name, "canary", 0, "canary-alb.us-east-1.elb.amazonaws.com"),
            .init(name: "www.example.com.", type: "A", ttl: 300, values: ["10.0.0.9"]),
            R53Test.alias("alias.example.com.", "blue", 255, "blue-alb.us-east-1.elb.amazonaws.com."),
            R53Test.alias("alias.example.com.", "green", 0, "green-alb.us-east-1.elb.amazonaws.com."),
        ], in: zoneName)
    }

    static func plugin(_ aws: AWSStepEnvironment) -> Route53Plugin { Route53Plugin(aws: aws) }

    static func setArgs(_ zone: String, _ record: String, _ weights: [String: Int], extra: [String: LuaValue] = [:]) -> LuaValue {
        var t: [String: LuaValue] = ["zone": .string(zone), "record": .string(record), "weights": R53Test.weights(weights)]
        t.merge(extra) { $1 }
        return .table(t)
    }

    // MARK: reading

    @Test func weightsByZoneIDOrNameReadEverySet() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let zoneID = try await Self.seed(moto)
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint)) { aws in
            let weights = try PluginTest.function(Self.plugin(aws), "weights")
            var results: [LuaValue] = []
            for zone in [zoneID, "/hostedzone/\(zoneID)", "example.com", "EXAMPLE.com."] {
                for record in ["api.example.com", "API.Example.COM."] {
                    results.append(try await weights.call(.table(["zone": .string(zone), "record": .string(record)]), context: PluginTest.context()))
                }
            }
            #expect(Set(results).count == 1, "every spelling of zone and record reads the same")
            let r = results[0]
            #expect(r["zone_id"] == .string(zoneID))
            #expect(r["record"] == .string(Self.name))
            #expect(r["type"] == "CNAME" && r["ttl"] == 60)
            #expect(r["weights"] == ["blue": 100, "green": 0, "canary": 0])
            guard case .array(let sets) = r["sets"] else { Issue.record("sets is not a list: \(r["sets"])"); return }
            #expect(sets.map { $0["set"] } == ["blue", "canary", "green"])
            #expect(sets[0]["values"] == ["blue-alb.us-east-1.elb.amazonaws.com"] && sets[0]["ttl"] == 60 && sets[0]["alias"] == .nil)

            let alias = try await weights.call(.table(["zone": .string(zoneID), "record": "alias.example.com", "type": "a"]),
                                               context: PluginTest.context())
            #expect(alias["ttl"] == .nil && alias["type"] == "A")
            #expect(alias["weights"] == ["blue": 255, "green": 0])
            guard case .array(let aliasSets) = alias["sets"] else { Issue.record("no sets"); return }
            #expect(aliasSets[0]["alias"]["zone_id"] == .string(R53Test.albZone))
            #expect(aliasSets[0]["alias"]["evaluate_target_health"] == true)
            #expect(aliasSets[0]["values"] == .nil)
        }
    }

    @Test func twoZonesWithOneNameAskForTheID() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let publicID = try await Self.seed(moto)
        let privateID = try await withClient(moto.client()) { client in
            try await AWSSeed(client).hostedZone("example.com.", privateIn: "vpc-12345678")
        }
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint)) { aws in
            let weights = try PluginTest.function(Self.plugin(aws), "weights")
            let failure = await PluginTest.failure {
                _ = try await weights.call(.table(["zone": "example.com", "record": .string(Self.name)]), context: PluginTest.context())
            }
            #expect(failure?.name == "AmbiguousHostedZone" && failure?.retryable == false)
            #expect(failure?.message.contains(publicID) == true && failure?.message.contains(privateID) == true)
            #expect(failure?.message.contains("pass the id") == true)

            let byID = try await weights.call(.table(["zone": .string(publicID), "record": .string(Self.name)]), context: PluginTest.context())
            #expect(byID["weights"]["blue"] == 100)

            let missing = await PluginTest.failure {
                _ = try await weights.call(.table(["zone": "nowhere.org", "record": "api.nowhere.org"]), context: PluginTest.context())
            }
            #expect(missing?.name == "NoSuchHostedZone" && missing?.retryable == false)
        }
    }

    @Test func recordWithoutWeightedSetsIsNamedInTheError() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let zoneID = try await Self.seed(moto)
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint)) { aws in
            let weights = try PluginTest.function(Self.plugin(aws), "weights")
            for (record, hint) in [("www.example.com", "A (not weighted)"), ("nothing.example.com", "no record by that name")] {
                let failure = await PluginTest.failure {
                    _ = try await weights.call(.table(["zone": .string(zoneID), "record": .string(record)]), context: PluginTest.context())
                }
                #expect(failure?.name == "NoWeightedRecords" && failure?.retryable == false)
                #expect(failure?.message.contains(zoneID) == true && failure?.message.contains(record + ".") == true)
                #expect(failure?.message.contains(hint) == true, "\(failure?.message ?? "")")
            }
            let wrongType = await PluginTest.failure {
                _ = try await weights.call(.table(["zone": .string(zoneID), "record": .string(Self.name), "type": "A"]), context: PluginTest.context())
            }
            #expect(wrongType?.name == "NoWeightedRecords" && wrongType?.message.contains("CNAME set blue") == true)
        }
    }

    @Test func weightedSetsOfTwoTypesNeedAType() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let zoneID = try await Self.seed(moto)
        try await withClient(moto.client()) { client in
            try await Route53(client: client).r53Create(zoneID, [
                R53Test.alias("alias.example.com.", "blue", 255, "blue-alb.us-east-1.elb.amazonaws.com.", type: "AAAA"),
            ])
        }
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint)) { aws in
            let plugin = Self.plugin(aws)
            let failure = await PluginTest.failure {
                _ = try await PluginTest.function(plugin, "weights").call(.table(["zone": .string(zoneID), "record": "alias.example.com"]),
                                                                       context: PluginTest.context())
            }
            #expect(failure?.name == "AmbiguousRecordType" && failure?.message.contains("A, AAAA") == true)
            let r = try await PluginTest.function(plugin, "set_weights").call(
                Self.setArgs(zoneID, "alias.example.com", ["blue": 7], extra: ["type": "AAAA"]), context: PluginTest.context())
            #expect(r["type"] == "AAAA" && r["weights"] == ["blue": 7])
            let a = try await PluginTest.function(plugin, "weights").call(
                .table(["zone": .string(zoneID), "record": "alias.example.com", "type": "A"]), context: PluginTest.context())
            #expect(a["weights"] == ["blue": 255, "green": 0], "the A sets are untouched")
        }
    }

    // MARK: setting

    @Test func setWeightsKeepsEverythingButTheWeightOfCNAMEAndAliasSets() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let zoneID = try await Self.seed(moto)
        let (cnameBefore, aliasBefore) = try await withClient(moto.client()) { client in
            let r53 = Route53(client: client)
            return (try await r53.r53Sets(zoneID, Self.name), try await r53.r53Sets(zoneID, "alias.example.com."))
        }
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint)) { aws in
            let set = try PluginTest.function(Self.plugin(aws), "set_weights")
            let r = try await set.call(Self.setArgs("example.com", "api.example.com", ["blue": 90, "green": 10]), context: PluginTest.context())
            #expect(r["changed"] == true && r["status"] == "INSYNC" && r["change_id"] != .nil)
            #expect(r["previous"] == ["blue": 100, "green": 0, "canary": 0])
            #expect(r["weights"] == ["blue": 90, "green": 10, "canary": 0])
            #expect(r["zone_id"] == .string(zoneID) && r["record"] == .string(Self.name) && r["type"] == "CNAME")

            let a = try await set.call(Self.setArgs(zoneID, "alias.example.com", ["blue": 0, "green": 255]), context: PluginTest.context())
            #expect(a["weights"] == ["blue": 0, "green": 255])
        }
        try await withClient(moto.client()) { client in
            let r53 = Route53(client: client)
            let cname = try await r53.r53Sets(zoneID, Self.name)
            for (id, before) in cnameBefore {
                var expected = before
                expected.weight = ["blue": 90, "green": 10, "canary": 0][id]
                #expect(cname[id] == expected, "\(id): only the weight changed")
            }
            let alias = try await r53.r53Sets(zoneID, "alias.example.com.")
            for (id, before) in aliasBefore {
                var expected = before
                expected.weight = ["blue": 0, "green": 255][id]
                #expect(alias[id] == expected, "\(id): type, alias target and health evaluation kept")
                #expect(alias[id]?.aliasTarget?.evaluateTargetHealth == true)
            }
        }
    }

    /// Through a proxy that counts requests: read, one change, read back (moto is INSYNC at once).
    @Test func allSetsGoInOneBatchAndEqualWeightsSendNothing() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let zoneID = try await Self.seed(moto)
        let proxy = try FaultProxy(upstreamPort: moto.port, script: [])
        defer { proxy.stop() }
        try await PluginTest.with(PluginTest.environment(endpoint: proxy.endpoint)) { aws in
            let set = try PluginTest.function(Self.plugin(aws), "set_weights")
            _ = try await set.call(Self.setArgs(zoneID, Self.name, ["blue": 50, "green": 30, "canary": 20]), context: PluginTest.context())
            #expect(proxy.requests == 3, "list, one ChangeResourceRecordSets, list")

            let again = try await set.call(Self.setArgs(zoneID, Self.name, ["blue": 50, "green": 30]), context: PluginTest.context())
            #expect(proxy.requests == 4, "already in place: one read, no change")
            #expect(again["changed"] == false && again["change_id"] == .nil && again["status"] == "INSYNC")
            #expect(again["weights"] == ["blue": 50, "green": 30, "canary": 20] && again["previous"] == again["weights"])

            // A retry re-sends the UPSERTs: the earlier attempt's change may not be INSYNC yet.
            let retried = try await set.call(Self.setArgs(zoneID, Self.name, ["blue": 50, "green": 30]), context: PluginTest.context(attempt: 2))
            #expect(proxy.requests == 7)
            #expect(retried["changed"] == false && retried["change_id"] != .nil)
        }
    }

    @Test func unknownSetIdentifierChangesNothing() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let zoneID = try await Self.seed(moto)
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint)) { aws in
            let plugin = Self.plugin(aws)
            let failure = await PluginTest.failure {
                _ = try await PluginTest.function(plugin, "set_weights").call(Self.setArgs(zoneID, Self.name, ["blue": 50, "purple": 50]),
                                                                           context: PluginTest.context())
            }
            #expect(failure?.name == "UnknownSetIdentifier" && failure?.retryable == false)
            #expect(failure?.message.contains("\"purple\"") == true && failure?.message.contains("blue, canary, green") == true)
            let now = try await PluginTest.function(plugin, "weights").call(.table(["zone": .string(zoneID), "record": .string(Self.name)]),
                                                                         context: PluginTest.context())
            #expect(now["weights"] == ["blue": 100, "green": 0, "canary": 0])
        }
    }

    @Test func badArgumentsAreNamedBeforeAnyCall() async throws {
        // Nothing listens here: a call that got past validation would fail differently.
        try await PluginTest.with(PluginTest.environment(endpoint: "http://127.0.0.1:9")) { aws in
            let set = try PluginTest.function(Self.plugin(aws), "set_weights")
            let cases: [(LuaValue, [String], String)] = [
                (Self.setArgs("Z1", "a.example.com", ["blue": 256]), ["weights", "blue"], "0 to 255"),
                (Self.setArgs("Z1", "a.example.com", ["green": -1]), ["weights", "green"], "0 to 255"),
                (.table(["zone": "Z1", "record": "a.example.com", "weights": .table(["green": .double(1.5)])]), ["weights", "green"], "integer expected"),
                (.table(["zone": "Z1", "record": "a.example.com", "weights": .table(["green": "10"])]), ["weights", "green"], "number expected"),
                (.table(["zone": "Z1", "record": "a.example.com", "weights": .table([:])]), ["weights"], "at least one"),
                (.table(["zone": "Z1", "record": "a.example.com"]), ["weights"], "missing"),
                (.table(["zone": "", "record": "a.example.com", "weights": R53Test.weights(["blue": 1])]), ["zone"], "hosted zone"),
                (Self.setArgs("Z1", "a.example.com", ["blue": 1], extra: ["insync_timeout": -1]), ["insync_timeout"], "from 0 to 86400"),
                (Self.setArgs("Z1", "a.example.com", ["blue": 1], extra: ["insync_timeout": .double(.infinity)]), ["insync_timeout"], "from 0"),
                (Self.setArgs("Z1", "a.example.com", ["blue": 1], extra: ["weight": 1]), [], "unknown argument 'weight'"),
            ]
            for (args, path, problem) in cases {
                let error = await PluginTest.argumentError { _ = try await set.call(args, context: PluginTest.context()) }
                #expect(error?.path == path, "\(args)")
                #expect(error?.description.contains(problem) == true, "\(error?.description ?? "no error") for \(args)")
                #expect(throws: StepArgumentError.self) { try set.validate(args) }
            }
            // Lua division yields floats: 100 / 10 is still a whole weight.
            #expect(throws: Never.self) { try set.validate(.table(["zone": "Z1", "record": "a.example.com", "weights": .table(["g": .double(10)])])) }
        }
    }

    @Test func anyRegionFromArgumentSettingsOrEnvironment() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let zoneID = try await Self.seed(moto)
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint, region: nil)) { aws in
            let set = try PluginTest.function(Self.plugin(aws), "set_weights")
            let missing = await PluginTest.failure {
                _ = try await set.call(Self.setArgs(zoneID, Self.name, ["green": 1]), context: PluginTest.context())
            }
            #expect(missing?.name == "MissingRegion" && missing?.retryable == false)
            let byArgument = try await set.call(Self.setArgs(zoneID, Self.name, ["green": 2], extra: ["region": "eu-west-1"]),
                                                context: PluginTest.context())
            #expect(byArgument["weights"]["green"] == 2)
            let bySettings = try await set.call(Self.setArgs(zoneID, Self.name, ["green": 3]),
                                                context: PluginTest.context(settings: StepSettings(region: "ap-southeast-2")))
            #expect(bySettings["weights"]["green"] == 3)
        }
        try await PluginTest.with(PluginTest.environment(endpoint: moto.endpoint, region: "eu-west-1")) { aws in
            let r = try await PluginTest.function(Self.plugin(aws), "set_weights").call(Self.setArgs("example.com", Self.name, ["green": 4]),
                                                                                    context: PluginTest.context())
            #expect(r["weights"]["green"] == 4 && r["status"] == "INSYNC")
        }
    }

    @Test func throttledChangeIsRetried() async throws {
        let moto = try await MotoServer.shared("plugins-route53")
        let zoneID = try await Self.seed(moto)
        let throttle = FaultProxy.Fault.respond(status: 400, body: """
            <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>
            """)
        // The read passes, the change is throttled twice, then everything passes.
        let proxy = try FaultProxy(upstreamPort: moto.port, script: [.delay(.zero), throttle, throttle])
        defer { proxy.stop() }
        try await PluginTest.with(PluginTest.environment(endpoint: proxy.endpoint)) { aws in
            let r = try await PluginTest.function(Self.plugin(aws), "set_weights").call(Self.setArgs(zoneID, Self.name, ["blue": 80, "green": 20]),
                                                                                    context: PluginTest.context())
            #expect(r["weights"]["green"] == 20 && r["changed"] == true)
            #expect(proxy.requests == 5, "list, change x3, list")
        }

        // When the client's own retries run out, the step fails retryable so the engine tries again later.
        let stubborn = try FaultProxy(upstreamPort: moto.port, script: [.delay(.zero), throttle])
        defer { stubborn.stop() }
        let oneShot = FlowAWS.RetryPolicy(maxAttempts: 1)
        try await PluginTest.with(PluginTest.environment(endpoint: stubborn.endpoint, retry: oneShot)) { aws in
            let set = try PluginTest.function(Self.plugin(aws), "set_weights")
            let failure = await PluginTest.failure {
                _ = try await set.call(Self.setArgs(zoneID, Self.name, ["blue": 70, "green": 30]), context: PluginTest.context())
            }
            #expect(failure?.name == "Throttling" && failure?.retryable == true)
            #expect(set.retry.maxAttempts == 5 && set.retry.maxInterval == 20)
            let next = try await set.call(Self.setArgs(zoneID, Self.name, ["blue": 70, "green": 30]), context: PluginTest.context(attempt: 2))
            #expect(next["weights"]["green"] == 30 && next["previous"]["green"] == 20)
        }
    }

    // MARK: INSYNC, where moto is always INSYNC

    @Test func waitsForPendingChangeToBeInSync() async throws {
        let fake = try R53FakeServer(weights: ["blue": 100, "green": 0], pendingPolls: 2)
        defer { fake.stop() }
        try await PluginTest.with(PluginTest.environment(endpoint: fake.endpoint)) { aws in
            let r = try await PluginTest.function(Self.plugin(aws), "set_weights").call(
                Self.setArgs(fake.zoneID, fake.record, ["blue": 90, "green": 10]), context: PluginTest.context())
            #expect(r["status"] == "INSYNC" && r["change_id"] == "CFAKE1" && r["changed"] == true)
            #expect(fake.polls == 3, "PENDING, PENDING, INSYNC")
            // Polled after 0.5 s, 0.75 s and 1.125 s.
            guard case .int(let waited) = r["waited_ms"] else { Issue.record("waited_ms: \(r["waited_ms"])"); return }
            #expect(waited >= 2_375 && waited < 10_000, "waited \(waited) ms")
            #expect(r["weights"] == ["blue": 90, "green": 10])
        }
        #expect(fake.changeBodies.count == 1, "one batch")
        let batch = try AWSXMLNode.parse(Array((fake.changeBodies.first ?? "").utf8))
        let changes = batch.members("ChangeBatch/Changes", item: "Change")
        #expect(changes.map { $0.text("Action") } == ["UPSERT", "UPSERT"])
        #expect(changes.map { $0.text("ResourceRecordSet/SetIdentifier") } == ["blue", "green"])
        #expect(changes.map { $0.text("ResourceRecordSet/TTL") } == ["60", "60"])
        #expect(changes.map { $0.text("ResourceRecordSet/ResourceRecords/ResourceRecord/Value") } == ["10.0.0.1", "10.0.0.2"])
        #expect(!(fake.changeBodies.first ?? "").contains("DELETE"))
    }

    @Test func changeStillPendingAtTheTimeoutIsRetryable() async throws {
        let fake = try R53FakeServer(weights: ["blue": 100, "green": 0], pendingPolls: .max)
        defer { fake.stop() }
        try await PluginTest.with(PluginTest.environment(endpoint: fake.endpoint)) { aws in
            let set = try PluginTest.function(Self.plugin(aws), "set_weights")
            let clock = ContinuousClock()
            let start = clock.now
            let failure = await PluginTest.failure {
                _ = try await set.call(Self.setArgs(fake.zoneID, fake.record, ["green": 10], extra: ["insync_timeout": 1]), context: PluginTest.context())
            }
            let took = start.duration(to: clock.now)
            #expect(failure?.name == "ChangeNotInSync" && failure?.retryable == true)
            #expect(failure?.message.contains("CFAKE1") == true)
            // Far below the default 300 s; wide because CI has stalled a test process for 7.6 s.
            #expect(took >= .seconds(1) && took < .seconds(20), "\(took)")

            let noWait = try await set.call(Self.setArgs(fake.zoneID, fake.record, ["green": 20], extra: ["wait": false]), context: PluginTest.context())
            #expect(noWait["status"] == "PENDING" && noWait["waited_ms"] == 0 && noWait["weights"]["green"] == 20)
        }
    }

    @Test func changeThatDoesNotStickIsReported() async throws {
        let fake = try R53FakeServer(weights: ["blue": 100, "green": 0], pendingPolls: 0, applyChanges: false)
        defer { fake.stop() }
        try await PluginTest.with(PluginTest.environment(endpoint: fake.endpoint)) { aws in
            let failure = await PluginTest.failure {
                _ = try await PluginTest.function(Self.plugin(aws), "set_weights").call(
                    Self.setArgs(fake.zoneID, fake.record, ["blue": 90, "green": 10]), context: PluginTest.context())
            }
            #expect(failure?.name == "WeightsNotApplied" && failure?.retryable == true)
            #expect(failure?.message.contains("green is 0, expected 10") == true, "\(failure?.message ?? "")")
        }
    }

    // MARK: the strict fixture: atomic validated batches, PENDING then INSYNC, fault injection

    /// Seeds through the fixture (its strict checks apply to the CREATEs too); returns the zone id
    /// and the request log's last seq, so a test looks only at what the step sent.
    static func seed(_ fixture: FixtureServer) async throws -> (zoneID: String, since: Int) {
        let zoneID = try await R53Test.zone(fixture.client(), R53Test.blueGreen(name, region: "us-east-1"))
        return (zoneID, try await fixture.requests().last?.seq ?? 0)
    }

    static func changesSent(_ fixture: FixtureServer, since: Int) async throws -> [FixtureRequest] {
        try await fixture.requests(service: "route53", operation: "ChangeResourceRecordSets").filter { $0.seq > since }
    }

    @Test func fixtureChangeIsWaitedForUntilInSync() async throws {
        let fixture = try await FixtureServer.shared("plugins-route53")
        let (zoneID, since) = try await Self.seed(fixture)
        try await fixture.setPendingSeconds(1.2)
        try await PluginTest.with(PluginTest.environment(endpoint: fixture.endpoint)) { aws in
            let r = try await PluginTest.function(Self.plugin(aws), "set_weights").call(
                Self.setArgs("example.com", "api.example.com", ["blue": 90, "green": 10]), context: PluginTest.context())
            #expect(r["status"] == "INSYNC" && r["weights"] == ["blue": 90, "green": 10] && r["zone_id"] == .string(zoneID))
            guard case .int(let waited) = r["waited_ms"] else { Issue.record("waited_ms: \(r["waited_ms"])"); return }
            #expect(waited >= 1_200 && waited < 8_000, "waited \(waited) ms for a change PENDING 1.2 s")
            #expect(r["change_id"].stringValue?.hasPrefix("/") == false)
        }
        let sent = try await Self.changesSent(fixture, since: since)
        #expect(sent.count == 1, "one batch")
        let changes = sent.first?.changes ?? []
        #expect(changes.map(\.action) == ["UPSERT", "UPSERT"] && changes.map(\.setIdentifier) == ["blue", "green"])
        #expect(changes.map(\.weight) == [90, 10] && changes.allSatisfy { $0.ttl == nil && $0.type == "A" })
        #expect(changes.map(\.aliasDNSName).allSatisfy { $0?.contains("-alb.us-east-1.elb.amazonaws.com") == true })
        let polls = try await fixture.requests(service: "route53", operation: "GetChange").filter { $0.seq > since }
        // The wait is proven by waited_ms; a starved machine may poll only once, after 1.2 s.
        #expect(polls.count >= 1 && polls.allSatisfy { $0.status == 200 })
    }

    @Test func fixtureChangeStillPendingFailsRetryablyAndTheRetryWaitsAgain() async throws {
        let fixture = try await FixtureServer.shared("plugins-route53")
        let (zoneID, since) = try await Self.seed(fixture)
        try await fixture.setPendingSeconds(3)
        try await PluginTest.with(PluginTest.environment(endpoint: fixture.endpoint)) { aws in
            let set = try PluginTest.function(Self.plugin(aws), "set_weights")
            let args = Self.setArgs(zoneID, Self.name, ["blue": 50, "green": 50], extra: ["insync_timeout": 0.6])
            let failure = await PluginTest.failure { _ = try await set.call(args, context: PluginTest.context()) }
            #expect(failure?.name == "ChangeNotInSync" && failure?.retryable == true, "\(String(describing: failure))")

            // The engine's next attempt: the weights are in place, but it waits on a fresh change.
            try await fixture.setPendingSeconds(0.8)
            let retried = try await set.call(Self.setArgs(zoneID, Self.name, ["blue": 50, "green": 50]), context: PluginTest.context(attempt: 2))
            #expect(retried["status"] == "INSYNC" && retried["changed"] == false && retried["change_id"] != .nil)
            guard case .int(let waited) = retried["waited_ms"] else { Issue.record("waited_ms"); return }
            #expect(waited >= 800, "waited \(waited) ms")
        }
        #expect(try await Self.changesSent(fixture, since: since).count == 2)
    }

    @Test func fixtureThrottledChangeIsRetried() async throws {
        let fixture = try await FixtureServer.shared("plugins-route53")
        let (zoneID, since) = try await Self.seed(fixture)
        try await fixture.setPendingSeconds(0.2)
        try await fixture.injectFault(service: "route53", operation: "ChangeResourceRecordSets", count: 2)
        try await PluginTest.with(PluginTest.environment(endpoint: fixture.endpoint)) { aws in
            let r = try await PluginTest.function(Self.plugin(aws), "set_weights").call(
                Self.setArgs(zoneID, Self.name, ["blue": 0, "green": 100]), context: PluginTest.context())
            #expect(r["weights"] == ["blue": 0, "green": 100] && r["status"] == "INSYNC")
        }
        let sent = try await Self.changesSent(fixture, since: since)
        #expect(sent.map(\.error) == ["Throttling", "Throttling", nil])
        #expect(sent.last?.changes?.count == 2)
    }

    @Test func functionsDeclareWhatTheEngineNeeds() throws {
        let aws = PluginTest.environment(endpoint: "http://127.0.0.1:9")
        defer { Task { await aws.shutdown() } }
        let plugin = Self.plugin(aws)
        #expect(plugin.name == "route53" && plugin.functions.map(\.name) == ["weights", "set_weights"])
        let weights = try PluginTest.function(plugin, "weights"), set = try PluginTest.function(plugin, "set_weights")
        #expect(weights.readOnly && weights.idempotent && !set.readOnly && set.idempotent)
        #expect(set.identity == ["zone", "record", "weights", "type"])
        #expect(plugin.luaSource == nil)
    }
}
