using System.Text.Json;

namespace Palisade.Cli.Tests.Conformance;

/// <summary>
/// Runs our two transcriptions of the SIG network-policy-api conformance suite: tests/conformance/anp (v1alpha1
/// AdminNetworkPolicy and BaselineAdminNetworkPolicy, as upstream v0.1.7 applies them) and tests/conformance/cnp (the
/// same cases written as ClusterNetworkPolicy), each against the upstream probes, and checks that the two generations
/// give the same verdict on every pair and port.
/// </summary>
public sealed class NetworkPolicyApiConformanceTests
{
    private const string AdminSuite = "anp";
    private const string ClusterSuite = "cnp";

    private static string Root => Path.Combine(RepoPaths.Root, "tests", "conformance");

    public static TheoryData<string, string> OwnAdminNetworkPolicyCases() => Cases(AdminSuite);

    public static TheoryData<string, string> OwnClusterNetworkPolicyCases() => Cases(ClusterSuite);

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceCase.Discover(Root, AdminSuite))
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OwnAdminNetworkPolicyCases))]
    public void OwnAdminNetworkPolicyCase_Connectivity_MatchesUpstream(string root, string name) => ConformanceTests.Run(root, name);

    [Theory]
    [MemberData(nameof(OwnClusterNetworkPolicyCases))]
    public void OwnClusterNetworkPolicyCase_Connectivity_MatchesUpstream(string root, string name) => ConformanceTests.Run(root, name);

    [Fact]
    public void Suites_AreDiscovered_WithEnoughCases_AndTheSameNames()
    {
        var admin = ConformanceCase.Discover(Root, AdminSuite).Select(c => c.Name).ToList();
        var cluster = ConformanceCase.Discover(Root, ClusterSuite).Select(c => c.Name).ToList();
        Assert.True(admin.Count >= 30, $"our own anp suite should hold at least 30 cases, found {admin.Count}");
        Assert.True(cluster.Count >= 30, $"our own cnp suite should hold at least 30 cases, found {cluster.Count}");
        Assert.Equal(admin, cluster);
    }

    /// <summary>
    /// Both generations of one case, judged on every ordered pair of pods and every port of the case (not only the
    /// probed ones), must agree: the cnp policies are the anp policies written in the newer API.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case_AdminAndClusterNetworkPolicyGenerations_GiveTheSameVerdicts(string name)
    {
        var admin = ConformanceCase.Discover(Root, AdminSuite).Single(c => c.Name == name);
        var cluster = ConformanceCase.Discover(Root, ClusterSuite).Single(c => c.Name == name);
        Assert.Equal(admin.Ports, cluster.Ports);

        var fromAdmin = Verdicts(admin);
        var fromCluster = Verdicts(cluster);
        var mismatches = new List<string>();
        foreach (var key in fromAdmin.Keys.Union(fromCluster.Keys).Order())
        {
            var a = fromAdmin.TryGetValue(key, out var x) ? (x ? "allowed" : "denied") : "missing";
            var c = fromCluster.TryGetValue(key, out var y) ? (y ? "allowed" : "denied") : "missing";
            if (a != c)
            {
                mismatches.Add($"{key.From} -> {key.To} {key.Port}: anp {a}, cnp {c}");
            }
        }

        Assert.True(fromAdmin.Count > 0, $"{name}: palisade judged no connection");
        Assert.True(mismatches.Count == 0, $"{name}: the two generations disagree:\n{string.Join("\n", mismatches)}");
    }

    private static Dictionary<(string From, string To, string Port), bool> Verdicts(ConformanceCase c)
    {
        var args = new List<string> { "connectivity", "-f", c.Cluster, "-f", c.Policies };
        foreach (var p in c.Ports)
        {
            args.AddRange(["--port", p]);
        }

        args.AddRange(["-o", "json"]);
        var (code, stdout, stderr) = CliRunner.Run([.. args]);
        Assert.True(code == 0, $"{c}: palisade exited {code}: {stderr}");

        using var doc = JsonDocument.Parse(stdout);
        var verdicts = new Dictionary<(string, string, string), bool>();
        foreach (var conn in doc.RootElement.GetProperty("connections").EnumerateArray())
        {
            var key = (conn.GetProperty("from").GetString()!, conn.GetProperty("to").GetString()!,
                $"{conn.GetProperty("port").GetInt32()}/{conn.GetProperty("protocol").GetString()}");
            verdicts[key] = conn.GetProperty("allowed").GetBoolean();
        }

        return verdicts;
    }

    private static TheoryData<string, string> Cases(string suite)
    {
        var data = new TheoryData<string, string>();
        foreach (var c in ConformanceCase.Discover(Root, suite))
        {
            data.Add(Root, $"{c.Suite}/{c.Name}");
        }

        return data;
    }
}
