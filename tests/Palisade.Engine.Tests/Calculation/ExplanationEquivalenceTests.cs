using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Tests.Oracle;
using Palisade.Model;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// The engine explains a flow as the reference evaluator does: the same sentence for each direction (the deciding
/// rule and tier, or the policies whose tier ended in deny), the same policy. What the CLI's answers through the
/// engine (connectivity, diff) print comes from these.
/// </summary>
public sealed class ExplanationEquivalenceTests
{
    public static TheoryData<int> Seeds => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EngineExplanations_EqualTheEvaluators(int seed)
    {
        var world = new RandomWorld(seed);
        world.Churn(new CalculationEngine(), 30, seed);
        var snapshot = world.Snapshot();
        var model = world.Model();
        var engine = CalculationEngine.Build(snapshot, model, IncrementalEquivalenceTests.Options(seed));
        var reference = new PolicyEvaluator(snapshot, model);
        var mismatches = new List<string>();
        var denied = 0;
        void Compare(FlowEnd from, FlowEnd to, Protocol protocol, int port)
        {
            var expected = reference.Evaluate(new Flow(from, to, protocol, port));
            var (source, destination) = (Handle(engine, from), Handle(engine, to));
            var fast = engine.Evaluate(source, from.Workload is null ? from.Address : null, destination, to.Workload is null ? to.Address : null, protocol, port);
            foreach (var (e, a, workload) in new[]
            {
                (expected.Egress, engine.Explain(source, fast.Egress), from.ToString()),
                (expected.Ingress, engine.Explain(destination, fast.Ingress), to.ToString()),
            })
            {
                var (want, got) = ($"{e.Explain(workload)} [{e.Policy?.Source.DisplayName}]", $"{a.Explain(workload)} [{a.Policy?.Source.DisplayName}]");
                if (want != got || e.Allowed != a.Allowed)
                {
                    mismatches.Add($"{from} -> {to} {port}/{protocol}: reference \"{want}\", engine \"{got}\"");
                }

                denied += e.Allowed ? 0 : 1;
            }
        }

        foreach (var from in snapshot.Workloads)
        {
            foreach (var to in snapshot.Workloads)
            {
                foreach (var (port, protocol) in IncrementalEquivalenceTests.Ports)
                {
                    Compare(FlowEnd.Of(from), FlowEnd.Of(to), protocol, port);
                }
            }

            foreach (var address in IncrementalEquivalenceTests.Outside)
            {
                Compare(FlowEnd.Of(from), FlowEnd.Of(address), Protocol.Tcp, 443);
                Compare(FlowEnd.Of(address), FlowEnd.Of(from), Protocol.Tcp, 80);
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
        Assert.True(denied > 0, "no direction was denied: nothing was explained");
    }

    /// <summary>
    /// The engine's full trace of a flow equals the evaluator's: every tier and policy that applied, in order, the rules
    /// that logged, passed or decided, and the end of the direction.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void EngineTraces_EqualTheEvaluators(int seed)
    {
        var world = new RandomWorld(seed);
        world.Churn(new CalculationEngine(), 30, seed);
        var snapshot = world.Snapshot();
        var model = world.Model();
        var engine = CalculationEngine.Build(snapshot, model, IncrementalEquivalenceTests.Options(seed));
        var reference = new PolicyEvaluator(snapshot, model);
        var mismatches = new List<string>();
        var steps = 0;
        void Compare(FlowEnd from, FlowEnd to, Protocol protocol, int port)
        {
            var expected = reference.Evaluate(new Flow(from, to, protocol, port));
            var actual = engine.Trace(Handle(engine, from), from.Workload is null ? from.Address : null, Handle(engine, to), to.Workload is null ? to.Address : null, protocol, port);
            foreach (var (e, a) in new[] { (expected.Egress, actual.Egress), (expected.Ingress, actual.Ingress) })
            {
                var (want, got) = (Describe(e), Describe(a));
                if (want != got)
                {
                    mismatches.Add($"{from} -> {to} {port}/{protocol}:\n  reference {want}\n  engine    {got}");
                }

                steps += e.Steps.Length;
            }
        }

        foreach (var from in snapshot.Workloads)
        {
            foreach (var to in snapshot.Workloads)
            {
                foreach (var (port, protocol) in IncrementalEquivalenceTests.Ports)
                {
                    Compare(FlowEnd.Of(from), FlowEnd.Of(to), protocol, port);
                }
            }

            foreach (var address in IncrementalEquivalenceTests.Outside)
            {
                Compare(FlowEnd.Of(from), FlowEnd.Of(address), Protocol.Tcp, 443);
                Compare(FlowEnd.Of(address), FlowEnd.Of(from), Protocol.Tcp, 80);
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
        Assert.True(steps > 0, "no step was traced");
    }

    private static string Describe(DirectionVerdict v) =>
        $"{v.Allowed} {v.Reason} {v.Tier?.Name} {v.Policy?.Source.DisplayName} {v.Rule?.Origin}: " +
        string.Join("; ", v.Steps.Select(s => $"{s.Kind} {s.Tier.Name} {s.Policy?.Source.DisplayName} {s.Rule?.Origin}"));

    private static int Handle(CalculationEngine engine, FlowEnd end) => end.Workload is { } w ? engine.EndpointHandle(w.Id) : -1;
}
