using Palisade.Engine.Analysis;
using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Explain;
using Palisade.Engine.Tests.Calculation;
using Palisade.Manifests;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Tests.Oracle;

/// <summary>
/// <c>palisade check</c> answers through the engine (<see cref="FlowExplainer"/>) exactly as the reference oracle does —
/// the steps of each direction, the deciding rule and tier, the verdict, each staged policy's outcome, the verdict with
/// staged policies enforced, and why each rule missed — on every conformance case, the examples, and random worlds with
/// staged replacements, deletions and additions. Also: the explainer names no failing condition of a rule exactly when
/// the engine's walker says the rule matches.
/// </summary>
public sealed class CheckEquivalenceTests
{
    public static TheoryData<int> Seeds => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        var conformance = Path.Combine(Root, "tests", "conformance");
        foreach (var dir in Directory.EnumerateFiles(conformance, "expect.json", SearchOption.AllDirectories).Select(Path.GetDirectoryName).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Root, dir!));
        }

        // The examples, alone and with the overlays README runs them with.
        data.Add("examples/shop");
        data.Add("examples/shop+examples/shop-broken");
        data.Add("examples/shop+examples/shop-next");
        return data;
    }

    [Fact]
    public void Cases_AreDiscovered()
    {
        // A missing suite must fail loudly, never shrink the comparison to nothing.
        Assert.True(Cases().Count >= 300, $"expected the conformance suites under {Root}/tests/conformance, found {Cases().Count} cases");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CheckAnswers_EqualTheOracles_OnCase(string name)
    {
        var (cluster, model, ports) = Load(name);

        var result = Compare(cluster, model, ports);

        Assert.True(result.Mismatches.Count == 0, $"{result.Mismatches.Count} of {result.Flows} flows differ:\n{string.Join("\n", result.Mismatches.Take(3))}");
        Assert.True(result.Flows > 0, "no flow was compared");
    }

    [Fact]
    public void KubernetesCases_ExplainDenialsAtTheEndOfATier()
    {
        // Isolation with no allowing rule is what most of check's "no rule matched" lines explain: the suite must reach it.
        var first = Directory.GetDirectories(Path.Combine(Root, "tests", "conformance", "k8s-netpol")).Order(StringComparer.Ordinal).First();
        var (cluster, model, ports) = Load(Path.GetRelativePath(Root, first));

        var result = Compare(cluster, model, ports);

        Assert.True(result.TierEndDenials > 0, "the first Kubernetes case denied nothing at a tier's end");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void CheckAnswers_EqualTheOracles_OnRandomWorldsWithStagedPolicies(int seed)
    {
        var world = new RandomWorld(seed);
        world.Churn(new CalculationEngine(), 30, seed);
        var cluster = world.Snapshot();
        var model = WithStaged(world.Model(), new Random(seed));
        var ports = IncrementalEquivalenceTests.Ports.Select(p => new PortSpec(p.Port, p.Protocol)).ToList();

        var result = Compare(cluster, model, ports, IncrementalEquivalenceTests.Outside.Select(FlowEnd.Of));

        Assert.True(result.Mismatches.Count == 0, $"{result.Mismatches.Count} of {result.Flows} flows differ:\n{string.Join("\n", result.Mismatches.Take(3))}");
        Assert.True(result.RulesExplained > 0, "no rule missed a flow: no miss was explained");
        Assert.True(result.StagedOutcomes > 0, "no staged policy applied: the staged answers were not compared");
    }

    private sealed record Comparison(int Flows, List<string> Mismatches, int TierEndDenials, int StagedOutcomes, int RulesExplained);

    private static Comparison Compare(ClusterSnapshot cluster, PolicyModel model, IReadOnlyList<PortSpec> ports, IEnumerable<FlowEnd>? outside = null)
    {
        var oracle = new PolicyEvaluator(cluster, model);
        var explainer = new FlowExplainer(cluster, model);
        var engine = explainer.Engine;
        var mismatches = new List<string>();
        var (flows, denials, staged, explained) = (0, 0, 0, 0);
        var ends = cluster.Workloads.Select(w => FlowEnd.Of(w))
            .Concat(cluster.Workloads.Where(w => !w.Addresses.IsEmpty).Select(w => FlowEnd.Of(w, w.Addresses[^1])))
            .Concat(ExternalNetwork.Collect((cluster, model)).Select(n => FlowEnd.Of(n.Probe)))
            .Concat(outside ?? [])
            .ToList();
        foreach (var from in ends)
        {
            foreach (var to in ends.Where(to => from.Workload is not null || to.Workload is not null))
            {
                foreach (var port in ports)
                {
                    var flow = new Flow(from, to, port.Protocol, port.Port);
                    var expected = oracle.Evaluate(flow);
                    var actual = explainer.Explain(flow);
                    var (want, got) = (CheckAnswer.Describe(expected, oracle.WhyNot), CheckAnswer.Describe(actual, explainer.WhyNot));
                    flows++;
                    denials += new[] { expected.Egress, expected.Ingress }.Count(v => v.Reason == VerdictReason.TierEndDenied);
                    staged += expected.Egress.Staged.Length + expected.Ingress.Staged.Length;
                    if (want != got)
                    {
                        mismatches.Add($"oracle:\n{want}engine:\n{got}");
                        continue;
                    }

                    // Every rule of every policy that applies: the same words, and none exactly where the walker matches.
                    foreach (var direction in new[] { Direction.Egress, Direction.Ingress })
                    {
                        var reference = new FlowRef(engine.Endpoints, Handle(engine, from), from.Address, Handle(engine, to), to.Address, flow.Protocol, flow.Port);
                        foreach (var (policy, matched) in EndpointPolicies.Matching(engine, ref reference, direction))
                        {
                            var rules = policy.Policy.Rules(direction);
                            for (var i = 0; i < rules.Count; i++)
                            {
                                var (wantWhy, gotWhy) = (oracle.WhyNot(rules[i], flow), explainer.WhyNot(rules[i], flow));
                                explained += gotWhy is null ? 0 : 1;
                                if (wantWhy != gotWhy || (gotWhy is null) != matched[i])
                                {
                                    mismatches.Add($"{flow} {direction} {rules[i].Origin}: oracle \"{wantWhy ?? "matches"}\", engine \"{gotWhy ?? "matches"}\", walker {(matched[i] ? "matches" : "misses")}");
                                }
                            }
                        }
                    }
                }
            }
        }

        return new Comparison(flows, mismatches, denials, staged, explained);
    }

    private static int Handle(CalculationEngine engine, FlowEnd end) => end.Workload is { } w ? engine.EndpointHandle(w.Id) : -1;

    /// <summary>
    /// The model with a staged policy beside each of its policies: a staged replacement (rules reversed, Allow and Deny
    /// swapped), a staged deletion, or a staged addition.
    /// </summary>
    private static PolicyModel WithStaged(PolicyModel model, Random random) =>
        new(model.Tiers.Select(t => t with { Policies = new([.. t.Policies, .. t.Policies.Select(p => Staged(p, random.Next(4)))]) }));

    private static Policy Staged(Policy target, int shape)
    {
        var source = target.Source with { Kind = "Staged" + target.Source.Kind };
        var key = $"{target.Source.ApiVersion} {target.Source.Kind} {(target.Namespace is null ? target.Name : $"{target.Namespace}/{target.Name}")}";
        Rule Swap(Rule r) => r with
        {
            Action = r.Action switch { RuleAction.Allow => RuleAction.Deny, RuleAction.Deny => RuleAction.Allow, var a => a },
            Origin = r.Origin with { Source = source },
        };

        var staged = target with { Source = source, Staged = true };
        return shape switch
        {
            0 => staged with { StagedDeletion = true, StagedTarget = key },
            1 => staged,
            _ => staged with
            {
                StagedTarget = key,
                IngressRules = new([.. Enumerable.Reverse(target.IngressRules).Select(Swap)]),
                EgressRules = new([.. Enumerable.Reverse(target.EgressRules).Select(Swap)]),
            },
        };
    }

    private static (ClusterSnapshot Cluster, PolicyModel Model, IReadOnlyList<PortSpec> Ports) Load(string name)
    {
        var paths = name.Split('+').Select(p => Path.Combine(Root, p)).ToList();
        List<PortSpec>? ports = null;
        if (File.Exists(Path.Combine(paths[0], "expect.json")))
        {
            // A conformance case: the suite's cluster unless the case has its own, its policies, the ports it is judged on.
            var dir = paths[0];
            var own = Path.Combine(dir, "cluster.yaml");
            paths = [File.Exists(own) ? own : Path.Combine(Path.GetDirectoryName(dir)!, "cluster.yaml"), .. new[] { Path.Combine(dir, "policies.yaml") }.Where(File.Exists)];
            using var expect = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expect.json")));
            ports = [.. expect.RootElement.GetProperty("ports").EnumerateArray().Select(p => PortSpec.TryParse(p.GetString(), out var spec, out var error) ? spec : throw new FormatException($"{dir}/expect.json: {error}"))];
        }

        var loaded = new ManifestLoader().Load(paths);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        ports ??= [.. loaded.Cluster.Workloads.SelectMany(w => ConnectivityAnalyzer.DeclaredPorts(w)).Union(ConnectivityAnalyzer.RulePorts(loaded.Policies))];
        return (loaded.Cluster, loaded.Policies, ports);
    }

    private static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Palisade.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Palisade.sln not found above " + AppContext.BaseDirectory);
    }
}
