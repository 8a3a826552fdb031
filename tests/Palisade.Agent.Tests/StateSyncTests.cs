using Palisade.Agent;
using Palisade.Engine.Calculation;
using Palisade.Engine.Tests.Calculation;
using Palisade.Model;

namespace Palisade.Agent.Tests;

/// <summary>
/// The agent's sync feeds the engine only what changed between two loaded states: through a random history of states
/// (namespaces, accounts, network sets, workloads, tiers and policies added, changed and removed), the engine it
/// keeps describes each state, and judges every flow between its workloads and to and from outside addresses, as an
/// engine built afresh on it does.
/// </summary>
public sealed class StateSyncTests
{
    private static readonly int[] Ports = [80, 443, 5432, 8080];
    private static readonly System.Net.IPAddress[] Outside = [System.Net.IPAddress.Parse("192.0.2.3"), System.Net.IPAddress.Parse("10.9.0.1"), System.Net.IPAddress.Parse("203.0.113.1")];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void RandomHistoryOfStates_EngineAnswersEachAsAFreshBuild(int seed)
    {
        var world = new RandomWorld(seed);

        // Odd seeds index every tier program; seeds 2 and 6 build programs in chunks of two rules and pack at once.
        var engine = new CalculationEngine(new CalculationOptions
        {
            IndexThreshold = seed % 2 == 1 ? 0 : 24,
            ChunkThreshold = seed % 4 == 2 ? 1 : 1024,
            ChunkRules = seed % 4 == 2 ? 2 : 256,
            PackFromEndpoints = seed % 4 == 2 ? 0 : 4_096,
        });
        var sync = new StateSync(engine);
        var flushes = new Random(seed);
        for (var step = 0; step < 60; step++)
        {
            // A few updates between loads, as a file save may carry several changes.
            for (var n = flushes.Next(1, 5); n > 0; n--)
            {
                world.NextUpdate();
            }

            var (cluster, model) = (world.Snapshot(), world.Model());
            sync.Apply(cluster, model);
            var fresh = CalculationEngine.Build(cluster, model);
            Same(fresh.DescribeState(), engine.DescribeState());
            Same(fresh.TierCount, engine.TierCount);
            foreach (var from in cluster.Workloads)
            {
                foreach (var to in cluster.Workloads)
                {
                    foreach (var port in Ports)
                    {
                        Same($"step {step}: " + Judge(fresh, from.Id, to.Id, port), $"step {step}: " + Judge(engine, from.Id, to.Id, port));
                    }
                }

                foreach (var address in Outside)
                {
                    Same(
                        $"step {step}: {address} -> {from.Id}: {Explain(fresh, fresh.Evaluate(-1, address, fresh.EndpointHandle(from.Id), null, Protocol.Tcp, 80))}",
                        $"step {step}: {address} -> {from.Id}: {Explain(engine, engine.Evaluate(-1, address, engine.EndpointHandle(from.Id), null, Protocol.Tcp, 80))}");
                    Same(
                        $"step {step}: {from.Id} -> {address}: {Explain(fresh, fresh.Evaluate(fresh.EndpointHandle(from.Id), null, -1, address, Protocol.Tcp, 443))}",
                        $"step {step}: {from.Id} -> {address}: {Explain(engine, engine.Evaluate(engine.EndpointHandle(from.Id), null, -1, address, Protocol.Tcp, 443))}");
                }
            }
        }

    }

    private static void Same(object expected, object actual) => Assert.True(Equals(expected, actual), $"fresh build: {expected}\nsynced:      {actual}");

    /// <summary>Whether the flow passes, and the rules that decided it, both ways.</summary>
    private static string Judge(CalculationEngine engine, string from, string to, int port) =>
        $"{from} -> {to} {port}: " + Explain(engine, engine.Evaluate(engine.EndpointHandle(from), engine.EndpointHandle(to), Protocol.Tcp, port));

    private static string Explain(CalculationEngine engine, FastVerdict v) =>
        $"{v.Allowed} {v.Egress.Reason} {engine.RuleOf(v.Egress)?.Origin} {v.Ingress.Reason} {engine.RuleOf(v.Ingress)?.Origin}";
}
