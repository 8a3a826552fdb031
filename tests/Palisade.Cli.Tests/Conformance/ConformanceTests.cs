using System.Text.Json;

namespace Palisade.Cli.Tests.Conformance;

/// <summary>
/// Runs every conformance case through <c>palisade connectivity ... -o json</c>, as the conformance README says a case is
/// run, and compares each pair and port with the upstream expectation.
/// </summary>
public sealed class ConformanceTests
{
    public static TheoryData<string, string> OwnKubernetesCases() => Cases(RepoPaths.Conformance, "k8s-netpol");

    [Theory]
    [MemberData(nameof(OwnKubernetesCases))]
    public void OwnKubernetesCase_Connectivity_MatchesUpstream(string root, string name) => Run(root, name);

    [Fact]
    public void Suites_AreDiscovered_WithEnoughCases()
    {
        Assert.True(OwnKubernetesCases().Count >= 40, "our own k8s-netpol suite should hold at least 40 cases");
    }

    internal static TheoryData<string, string> Cases(string root, string suite)
    {
        var data = new TheoryData<string, string>();
        foreach (var c in ConformanceCase.Discover(root, suite))
        {
            data.Add(root, $"{c.Suite}/{c.Name}");
        }

        return data;
    }

    internal static void Run(string root, string name)
    {
        var suite = name[..name.IndexOf('/', StringComparison.Ordinal)];
        var c = ConformanceCase.Discover(root, suite).Single(x => x.ToString() == name);
        var args = new List<string> { "connectivity", "-f", c.Cluster };
        if (File.Exists(c.Policies))
        {
            args.AddRange(["-f", c.Policies]);
        }

        foreach (var p in c.Ports)
        {
            args.AddRange(["--port", p]);
        }

        args.AddRange(["-o", "json"]);
        var (code, stdout, stderr) = CliRunner.Run([.. args]);
        Assert.True(code == 0, $"palisade exited {code}: {stderr}");

        using var doc = JsonDocument.Parse(stdout);
        var actual = new Dictionary<(string, string, string), (bool Allowed, string Why)>();
        foreach (var conn in doc.RootElement.GetProperty("connections").EnumerateArray())
        {
            var key = (conn.GetProperty("from").GetString()!, conn.GetProperty("to").GetString()!,
                $"{conn.GetProperty("port").GetInt32()}/{conn.GetProperty("protocol").GetString()}");
            var why = conn.GetProperty("egress").GetProperty("explanation").GetString() + "; " + conn.GetProperty("ingress").GetProperty("explanation").GetString();
            actual[key] = (conn.GetProperty("allowed").GetBoolean(), why);
        }

        var mismatches = new List<string>();
        if (c.Probes is { } probes)
        {
            foreach (var (key, expected) in probes)
            {
                if (!actual.TryGetValue(key, out var got))
                {
                    mismatches.Add($"{key}: not in the output");
                }
                else if (got.Allowed != expected)
                {
                    mismatches.Add($"{key.From} -> {key.To} {key.Port}: expected {(expected ? "allowed" : "denied")}, got {(got.Allowed ? "allowed" : "denied")} ({got.Why})");
                }
            }
        }
        else
        {
            var pods = actual.Keys.Select(k => k.Item1).Distinct().Count();
            Assert.Equal(pods * (pods - 1) * c.Ports.Count, actual.Count);
            foreach (var (key, got) in actual)
            {
                var expected = c.Allowed.Contains(key);
                if (got.Allowed != expected)
                {
                    mismatches.Add($"{key.Item1} -> {key.Item2} {key.Item3}: expected {(expected ? "allowed" : "denied")}, got {(got.Allowed ? "allowed" : "denied")} ({got.Why})");
                }
            }
        }

        Assert.True(mismatches.Count == 0, $"{name} ({c.Source}):\n{string.Join("\n", mismatches)}");
    }
}
