using System.Text.Json;

namespace Palisade.Cli.Tests.Conformance;

/// <summary>
/// The sample cases taken from the upstream test suites (tests/conformance/upstream: Kubernetes e2e NetworkPolicy,
/// network-policy-api v0.1.7 AdminNetworkPolicy and ClusterNetworkPolicy, Calico's documented policy model, Calico's
/// selector tests), each run the way its README says a case is run. The repository carries them, so a clone with
/// nothing beside it runs them all; a suite that goes missing fails here by name instead of silently running nothing.
/// </summary>
public sealed class UpstreamConformanceTests
{
    /// <summary>The suites and the least number of cases each holds today.</summary>
    private static readonly (string Suite, int Cases)[] Suites =
    [
        ("k8s-netpol", 19),
        ("anp", 29),
        ("cnp", 30),
        ("calico-policy", 20),
    ];

    private static string SelectorCases => Path.Combine(RepoPaths.Upstream, "calico-selectors", "cases.json");

    public static TheoryData<string, string> KubernetesCases() => ConformanceTests.Cases(RepoPaths.Upstream, "k8s-netpol");

    public static TheoryData<string, string> AdminNetworkPolicyCases() => ConformanceTests.Cases(RepoPaths.Upstream, "anp");

    public static TheoryData<string, string> ClusterNetworkPolicyCases() => ConformanceTests.Cases(RepoPaths.Upstream, "cnp");

    public static TheoryData<string, string> CalicoPolicyCases() => ConformanceTests.Cases(RepoPaths.Upstream, "calico-policy");

    public static TheoryData<string> SelectorCaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var c in LoadSelectorCases())
        {
            data.Add(c.GetProperty("id").GetString()!);
        }

        return data;
    }

    [Fact]
    public void EveryUpstreamSuite_IsPresent_WithItsCases()
    {
        foreach (var (suite, least) in Suites)
        {
            var dir = Path.Combine(RepoPaths.Upstream, suite);
            Assert.True(Directory.Exists(dir), $"the upstream suite {suite} is missing: expected {dir}");
            var count = ConformanceCase.Discover(RepoPaths.Upstream, suite).Count();
            Assert.True(count >= least, $"the upstream suite {suite} should hold at least {least} cases, found {count}");
        }

        Assert.True(File.Exists(SelectorCases), $"the upstream selector suite is missing: expected {SelectorCases}");
        Assert.True(LoadSelectorCases().Count >= 87, "the upstream selector suite should hold at least 87 cases");
    }

    [Theory]
    [MemberData(nameof(KubernetesCases))]
    public void KubernetesCase_Connectivity_MatchesUpstream(string root, string name) => ConformanceTests.Run(root, name);

    [Theory]
    [MemberData(nameof(AdminNetworkPolicyCases))]
    public void AdminNetworkPolicyCase_Connectivity_MatchesUpstream(string root, string name) => ConformanceTests.Run(root, name);

    [Theory]
    [MemberData(nameof(ClusterNetworkPolicyCases))]
    public void ClusterNetworkPolicyCase_Connectivity_MatchesUpstream(string root, string name) => ConformanceTests.Run(root, name);

    [Theory]
    [MemberData(nameof(CalicoPolicyCases))]
    public void CalicoPolicyCase_Connectivity_MatchesDocumentedSemantics(string root, string name) => ConformanceTests.Run(root, name);

    /// <summary>
    /// A selector case as its README says it runs: <c>palisade select SELECTOR -f cluster.yaml -o json</c> over one pod
    /// carrying the case's labels; a selector that must not parse exits 2, one that must parse exits 0.
    /// </summary>
    [Theory]
    [MemberData(nameof(SelectorCaseIds))]
    public void SelectorCase_Select_MatchesCalico(string id)
    {
        var c = LoadSelectorCases().Single(x => x.GetProperty("id").GetString() == id);
        var selector = c.GetProperty("selector").GetString()!;
        var labels = c.TryGetProperty("labels", out var l)
            ? l.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];
        var dir = Directory.CreateTempSubdirectory("palisade-selector-");
        try
        {
            var cluster = Path.Combine(dir.FullName, "cluster.json");
            File.WriteAllText(cluster, JsonSerializer.Serialize(new
            {
                apiVersion = "v1",
                kind = "Pod",
                metadata = new { name = "p", @namespace = "default", labels },
                spec = new { },
            }));
            var (code, stdout, stderr) = CliRunner.Run("select", selector, "-f", cluster, "-o", "json");
            var source = c.GetProperty("source").GetString();
            if (c.TryGetProperty("parse_error", out var parseError))
            {
                var expected = parseError.GetBoolean() ? ExitCodes.BadInput : ExitCodes.Ok;
                Assert.True(code == expected, $"{id} ({source}): `{selector}` should {(parseError.GetBoolean() ? "fail" : "succeed")} to parse, exit {code}: {stderr}");
                return;
            }

            Assert.True(code == ExitCodes.Ok, $"{id} ({source}): `{selector}` exited {code}: {stderr}");
            using var doc = JsonDocument.Parse(stdout);
            var matched = doc.RootElement.GetProperty("workloads").EnumerateArray().Any(w => w.GetString() == "default/p");
            var want = c.GetProperty("match").GetBoolean();
            Assert.True(matched == want, $"{id} ({source}): `{selector}` over {JsonSerializer.Serialize(labels)} should {(want ? "" : "not ")}match");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static List<JsonElement> LoadSelectorCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SelectorCases));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone())];
    }
}
