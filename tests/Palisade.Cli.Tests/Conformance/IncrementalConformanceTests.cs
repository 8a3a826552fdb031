using Palisade.Engine.Calculation;
using Palisade.Manifests;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Cli.Tests.Conformance;

/// <summary>
/// Every conformance case, of every suite, through the engine's incremental path rather than a load: policies arrive
/// first and one at a time in reverse order, then the inventory, workloads one by one; then every policy is withdrawn
/// (every flow the case asks about is then allowed) and given back, and every workload removed and added again, with a
/// flush after each update. The engine that results gives the upstream expectation on every pair and port, and
/// describes the same state as a load.
/// </summary>
public sealed class IncrementalConformanceTests
{
    public static TheoryData<string, string> AllCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (root, suites) in new[]
                 {
                     (RepoPaths.Upstream, new[] { "k8s-netpol", "anp", "cnp", "calico-policy" }),
                     (Path.Combine(RepoPaths.Root, "tests", "conformance"), new[] { "k8s-netpol", "anp", "cnp", "calico-policy" }),
                 })
        {
            foreach (var c in ConformanceCase.Discover(root, suites))
            {
                data.Add(root, $"{c.Suite}/{c.Name}");
            }
        }

        return data;
    }

    [Fact]
    public void EverySuite_IsDiscovered()
    {
        var cases = AllCases().Select(row => (string)row[1]).ToList();
        Assert.All(new[] { "k8s-netpol/", "anp/", "cnp/", "calico-policy/" }, suite => Assert.Contains(cases, c => c.StartsWith(suite, StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Case_ThroughIncrementalUpdates_MatchesUpstream(string root, string name)
    {
        var suite = name[..name.IndexOf('/', StringComparison.Ordinal)];
        var c = ConformanceCase.Discover(root, suite).Single(x => x.ToString() == name);
        var loaded = new ManifestLoader().Load(File.Exists(c.Policies) ? [c.Cluster, c.Policies] : [c.Cluster]);
        Assert.True(loaded.Succeeded, string.Join("; ", loaded.Errors.Select(e => e.ToString())));
        var (cluster, model) = (loaded.Cluster, loaded.Policies);

        var engine = new CalculationEngine();
        foreach (var tier in model.Tiers.Reverse())
        {
            engine.UpsertTier(tier);
            foreach (var policy in tier.Policies.Reverse())
            {
                engine.UpsertPolicy(tier.Name, policy);
                engine.Flush();
            }
        }

        Inventory(engine, cluster);
        foreach (var w in cluster.Workloads)
        {
            engine.UpsertWorkload(w);
            engine.Flush();
        }

        // Every policy withdrawn, one at a time, each step describing the state a load of the policies left gives: then
        // nothing isolates anyone, and every flow the case asks about passes.
        var left = model.Tiers.SelectMany(t => t.Policies).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var policy in model.Tiers.SelectMany(t => t.Policies))
        {
            engine.RemovePolicy(CalculationEngine.PolicyKey(policy));
            engine.Flush();
            left.Remove(policy);
            var fresh = CalculationEngine.Build(cluster, new PolicyModel(model.Tiers.Select(t => t with { Policies = new(t.Policies.Where(left.Contains)) })));
            Assert.Equal(fresh.DescribeState(), engine.DescribeState());
        }

        var expected = c.Probes ?? [.. from f in cluster.Workloads
                                       from t in cluster.Workloads
                                       where !ReferenceEquals(f, t)
                                       from p in c.Ports
                                       let key = (f.Id, t.Id, p)
                                       select (key, c.Allowed.Contains(key))];
        Assert.NotEmpty(expected);
        Assert.All(expected, e => Assert.True(Judge(engine, e.Key).Allowed, $"{e.Key} denied with no policy"));

        foreach (var tier in model.Tiers)
        {
            foreach (var policy in tier.Policies)
            {
                engine.UpsertPolicy(tier.Name, policy);
                engine.Flush();
            }
        }

        foreach (var w in cluster.Workloads)
        {
            engine.RemoveWorkload(w.Id);
            engine.Flush();
            engine.UpsertWorkload(w);
            engine.Flush();
        }

        Assert.Equal(CalculationEngine.Build(cluster, model).DescribeState(), engine.DescribeState());

        var mismatches = new List<string>();
        foreach (var (key, allowed) in expected)
        {
            var verdict = Judge(engine, key);
            if (verdict.Allowed != allowed)
            {
                mismatches.Add($"{key.From} -> {key.To} {key.Port}: expected {(allowed ? "allowed" : "denied")}, got {verdict}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{name} ({c.Source}):\n{string.Join("\n", mismatches)}");
    }

    private static FastVerdict Judge(CalculationEngine engine, (string From, string To, string Port) flow)
    {
        Assert.True(PortSpec.TryParse(flow.Port, out var spec, out var error), error);
        return engine.Evaluate(engine.EndpointHandle(flow.From), engine.EndpointHandle(flow.To), spec.Protocol, spec.Port);
    }

    private static void Inventory(CalculationEngine engine, ClusterSnapshot cluster)
    {
        foreach (var ns in cluster.Namespaces)
        {
            engine.UpsertNamespace(ns);
            engine.Flush();
        }

        foreach (var sa in cluster.ServiceAccounts)
        {
            engine.UpsertServiceAccount(sa);
        }

        foreach (var node in cluster.Nodes)
        {
            engine.UpsertNode(node);
        }

        foreach (var set in cluster.NetworkSets)
        {
            engine.UpsertNetworkSet(set);
        }

        engine.Flush();
    }
}
