using System.Net;
using FsCheck.Xunit;
using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Tests.Oracle;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// The incremental engine after any sequence of updates gives the same verdicts as the reference evaluator on the final
/// state, and the same selector memberships and policy lists as an engine built from scratch on that state.
/// </summary>
public sealed class IncrementalEquivalenceTests
{
    internal static readonly (int Port, Protocol Protocol)[] Ports = [(80, Protocol.Tcp), (443, Protocol.Tcp), (5432, Protocol.Tcp), (8080, Protocol.Tcp), (53, Protocol.Udp), (80, Protocol.Sctp)];
    internal static readonly IPAddress[] Outside = [IPAddress.Parse("192.0.2.3"), IPAddress.Parse("10.9.0.1"), IPAddress.Parse("203.0.113.1"), IPAddress.Parse("10.0.0.2"), IPAddress.Parse("fd00::3")];

    [Property(MaxTest = 150)]
    public void AfterRandomUpdates_VerdictsEqualReference_AndStateEqualsFromScratch(int seed, byte updateCount)
    {
        var world = new RandomWorld(seed);

        // Odd seeds index every tier program, so that the indexed walk is compared with the reference too; every
        // other pair of seeds builds programs in chunks of one to four rules, so that splicing policies in and out of
        // chunks (and re-chunking a chunk grown too long) is compared as well.
        var options = Options(seed);
        var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
        var random = new Random(seed ^ 0x5eed);
        for (var i = 0; i < updateCount % 60; i++)
        {
            world.NextUpdate()(engine);
            if (random.Next(3) != 0)
            {
                engine.Flush();
            }
        }

        engine.Flush();
        AssertEquivalent(world, engine, options);
    }

    /// <summary>
    /// Verdicts asked between updates fill what the engine computes on demand (the blocks of the network sets a Calico
    /// selector picks, Calico labels): an update must leave none of it stale. The property test above judges only at the
    /// end, when nothing was cached before the updates; here every state along the way is judged.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChurnSeeds))]
    public void VerdictsAskedBetweenUpdates_LeaveNothingStale(int seed)
    {
        var world = new RandomWorld(seed);
        var options = Options(seed);
        var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
        for (var i = 0; i < 60; i++)
        {
            world.NextUpdate()(engine);
            engine.Flush();

            // Judged after each update (which fills the caches for the next), so that a stale entry is seen while it
            // lasts: a later change may drop it again.
            AssertEquivalent(world, engine, options);
        }
    }

    [Fact]
    public void FromScratch_OnManySeeds_EqualsReference()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var world = new RandomWorld(seed);
            AssertEquivalent(world, CalculationEngine.Build(world.Snapshot(), world.Model()));
            AssertEquivalent(world, CalculationEngine.Build(world.Snapshot(), world.Model(), new CalculationOptions { IndexThreshold = 0 }));
            AssertEquivalent(world, CalculationEngine.Build(world.Snapshot(), world.Model(), new CalculationOptions { ChunkThreshold = 0, ChunkRules = 1 + (seed % 3) }));
            AssertEquivalent(world, CalculationEngine.Build(world.Snapshot(), world.Model(), new CalculationOptions { PackFromEndpoints = 0, IndexThreshold = (seed & 1) == 0 ? 24 : 0 }));
        }
    }

    [Fact]
    public void WithoutNetworkSets_EqualsReference()
    {
        // Without network sets a pod at the remote end is judged through the rules' filters (random worlds have them,
        // which Calico selectors also match by address, and so walk every rule).
        for (var seed = 0; seed < 40; seed++)
        {
            var world = new RandomWorld(seed);
            world.NetworkSets.Clear();
            AssertEquivalent(world, CalculationEngine.Build(world.Snapshot(), world.Model()));
            AssertEquivalent(world, CalculationEngine.Build(world.Snapshot(), world.Model(), new CalculationOptions { IndexThreshold = int.MaxValue }));
        }
    }

    [Fact]
    public void ChunkedPrograms_AfterManyPolicyEdits_EqualReference()
    {
        // Every program in chunks, indexed or not: long update sequences splice policies in and out of chunks.
        for (var seed = 0; seed < 24; seed++)
        {
            var world = new RandomWorld(seed);
            var options = new CalculationOptions { IndexThreshold = (seed & 1) == 0 ? 0 : 1000, ChunkThreshold = 0, ChunkRules = 1 + (seed % 4) };
            var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
            for (var i = 0; i < 80; i++)
            {
                world.NextUpdate()(engine);
                engine.Flush();
            }

            AssertEquivalent(world, engine, options);
        }
    }

    /// <summary>Options that vary with the seed over every path: indexed or not, chunked (tiny chunks) or not.</summary>
    /// <summary>Seeds of random worlds whose <see cref="Options"/> cover every path: plain, indexed, chunked, batches without prefetching, unpacked.</summary>
    public static TheoryData<int> ChurnSeeds => [0, 1, 2, 3, 5, 6, 16, 35];

    internal static CalculationOptions Options(int seed) => new()
    {
        IndexThreshold = (seed & 1) == 0 ? 24 : 0,
        ChunkThreshold = (seed & 2) == 0 ? 1024 : 1,
        ChunkRules = 1 + ((seed >> 2) & 3),
        BatchPrefetchFromEndpoints = (seed & 16) == 0 ? 0 : 32_768,
        PackFromEndpoints = (seed & 32) == 0 ? 0 : 32_768,
    };

    [Fact]
    public void SameUpdates_InDifferentOrder_GiveTheSameState()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var world = new RandomWorld(seed);
            var forward = new CalculationEngine();
            var backward = new CalculationEngine();
            var snapshot = world.Snapshot();
            var model = world.Model();
            forward.Load(snapshot, model);

            // Same content, fed workloads first and policies last, in reverse order.
            foreach (var ns in snapshot.Namespaces.Reverse())
            {
                backward.UpsertNamespace(ns);
            }

            foreach (var sa in snapshot.ServiceAccounts.Reverse())
            {
                backward.UpsertServiceAccount(sa);
            }

            foreach (var set in snapshot.NetworkSets)
            {
                backward.UpsertNetworkSet(set);
            }

            foreach (var w in snapshot.Workloads.Reverse())
            {
                backward.UpsertWorkload(w);
            }

            foreach (var tier in model.Tiers.Reverse())
            {
                backward.UpsertTier(tier);
                foreach (var p in tier.Policies.Reverse())
                {
                    backward.UpsertPolicy(tier.Name, p);
                }
            }

            backward.Flush();
            Assert.Equal(forward.DescribeState(), backward.DescribeState());
        }
    }

    private static void AssertEquivalent(RandomWorld world, CalculationEngine engine, CalculationOptions? options = null)
    {
        var snapshot = world.Snapshot();
        var model = world.Model();
        var reference = new PolicyEvaluator(snapshot, model);
        var scratch = CalculationEngine.Build(snapshot, model, options);
        Assert.Equal(scratch.DescribeState(), engine.DescribeState());
        var mismatches = new List<string>();
        foreach (var from in snapshot.Workloads)
        {
            foreach (var to in snapshot.Workloads)
            {
                if (ReferenceEquals(from, to))
                {
                    continue;
                }

                foreach (var (port, protocol) in Ports)
                {
                    var expected = reference.Evaluate(new Flow(FlowEnd.Of(from), FlowEnd.Of(to), protocol, port));
                    var actual = engine.Evaluate(engine.EndpointHandle(from.Id), engine.EndpointHandle(to.Id), protocol, port);
                    Compare($"{from.Id} -> {to.Id} {port}/{protocol}", expected, actual, engine, mismatches);
                }
            }

            foreach (var address in Outside)
            {
                var outbound = reference.Evaluate(new Flow(FlowEnd.Of(from), FlowEnd.Of(address), Protocol.Tcp, 443));
                Compare($"{from.Id} -> {address}", outbound, engine.Evaluate(engine.EndpointHandle(from.Id), null, -1, address, Protocol.Tcp, 443), engine, mismatches);
                var inbound = reference.Evaluate(new Flow(FlowEnd.Of(address), FlowEnd.Of(from), Protocol.Tcp, 80));
                Compare($"{address} -> {from.Id}", inbound, engine.Evaluate(-1, address, engine.EndpointHandle(from.Id), null, Protocol.Tcp, 80), engine, mismatches);
            }
        }

        // The bulk path (prefetching flows ahead) gives each flow the verdict the single path does.
        foreach (var (port, protocol) in Ports)
        {
            // Unknown ends (handle -1) among them, which the prefetching skips.
            var handles = snapshot.Workloads.Select(w => engine.EndpointHandle(w.Id)).Append(-1).ToArray();
            var pairs = (from f in handles from t in handles select (From: f, To: t)).ToArray();
            var results = new FastVerdict[pairs.Length];
            engine.Evaluate(pairs.Select(p => p.From).ToArray(), pairs.Select(p => p.To).ToArray(), Enumerable.Repeat(port, pairs.Length).ToArray(), protocol, results);
            for (var i = 0; i < pairs.Length; i++)
            {
                var single = engine.Evaluate(pairs[i].From, pairs[i].To, protocol, port);
                if (results[i] != single)
                {
                    mismatches.Add($"batch {pairs[i].From} -> {pairs[i].To} {port}/{protocol}: {results[i]} instead of {single}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
    }

    private static void Compare(string what, FlowVerdict expected, FastVerdict actual, CalculationEngine engine, List<string> mismatches)
    {
        void One(string dir, DirectionVerdict e, DirectionOutcome a)
        {
            var expectedRule = e.Rule?.Origin.ToString();
            var actualRule = engine.RuleOf(a)?.Origin.ToString();
            if (e.Allowed != a.Allowed || e.Reason != a.Reason || expectedRule != actualRule || (e.Tier?.Name != engine.TierOf(a)?.Name && e.Reason == Evaluation.VerdictReason.TierEndDenied))
            {
                mismatches.Add($"{what} {dir}: reference {e.Reason} {expectedRule} {e.Tier?.Name}, engine {a.Reason} {actualRule} {engine.TierOf(a)?.Name}");
            }
        }

        One("egress", expected.Egress, actual.Egress);
        One("ingress", expected.Ingress, actual.Ingress);
    }
}

/// <summary>Class connectivity, expanded to pairs, equals judging every pair on its own.</summary>
public sealed class ClassConnectivityTests
{
    [Fact]
    public void Classes_ExpandedToPairs_EqualPairwiseVerdicts()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var world = new RandomWorld(seed);
            var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), IncrementalEquivalenceTests.Options(seed));
            AssertClassesEqualPairwiseVerdicts(world, engine, seed);
        }
    }

    /// <summary>
    /// Classes of an engine that followed churn (slots freed and reused, lists edited rather than built) give the
    /// pairwise verdicts too, and group workloads as an engine built afresh on the final state does.
    /// </summary>
    [Theory]
    [MemberData(nameof(IncrementalEquivalenceTests.ChurnSeeds), MemberType = typeof(IncrementalEquivalenceTests))]
    public void Classes_AfterRandomUpdates_EqualPairwiseVerdicts_AndAFreshBuildsGroups(int seed)
    {
        var world = new RandomWorld(seed);
        var options = IncrementalEquivalenceTests.Options(seed);
        var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
        world.Churn(engine, 300, seed);
        AssertClassesEqualPairwiseVerdicts(world, engine, seed);
        static string[] Groups(ClassReport report) =>
            [.. report.Classes.Select(c => string.Join(' ', c.Members.Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal)];
        var fresh = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
        Assert.Equal(Groups(fresh.Classes()), Groups(engine.Classes()));
    }

    private static void AssertClassesEqualPairwiseVerdicts(RandomWorld world, CalculationEngine engine, int seed)
    {
        var report = engine.Classes();
        var byClass = report.Classes.SelectMany(c => c.Members.Select(m => (m, c))).ToDictionary(p => p.m, p => p.c);
        var expected = new HashSet<(string, string, PortSpec)>();
        var snapshot = world.Snapshot();
        foreach (var from in snapshot.Workloads)
        {
            foreach (var to in snapshot.Workloads)
            {
                if (ReferenceEquals(from, to))
                {
                    continue;
                }

                foreach (var port in byClass[to.Id].Ports)
                {
                    if (engine.Evaluate(engine.EndpointHandle(from.Id), engine.EndpointHandle(to.Id), port.Protocol, port.Port).Allowed)
                    {
                        expected.Add((from.Id, to.Id, port));
                    }
                }
            }
        }

        var actual = new HashSet<(string, string, PortSpec)>();
        foreach (var reach in report.Reach)
        {
            foreach (var from in report.Classes[reach.From].Members)
            {
                foreach (var toClass in reach.To)
                {
                    foreach (var to in report.Classes[toClass].Members)
                    {
                        if (from != to)
                        {
                            actual.Add((from, to, reach.Port));
                        }
                    }
                }
            }
        }

        Assert.True(expected.SetEquals(actual), $"seed {seed}: {expected.Except(actual).Count()} missing, {actual.Except(expected).Count()} extra; e.g. {string.Join("; ", expected.Except(actual).Concat(actual.Except(expected)).Take(5))}");
        Assert.Equal(expected.Count, report.AllowedPairs);
        Assert.True(report.Classes.Length <= snapshot.Workloads.Length);
    }
}
