using System.Text.Json;
using Palisade.Cli;

namespace Palisade.Lab.Tests;

/// <summary>
/// <c>palisade lab run --compare</c> on every conformance case, with 2 nodes: pods as network namespaces, one agent per
/// node enforcing with nftables, every pair probed on real packets. The live result must equal the computed one, and
/// — checked here as well — the upstream expectation of the case.
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class LabRunConformanceTests : IDisposable
{
    private readonly string statePath = LabTestSupport.NewStatePath();

    public void Dispose()
    {
        new LocalLab(statePath).Down();
        Directory.Delete(Path.GetDirectoryName(statePath)!, recursive: true);
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

        throw new InvalidOperationException("Palisade.sln not found above the test directory");
    }

    /// <summary>Every case folder (one holding expect.json) of every suite under a conformance root.</summary>
    private static TheoryData<string> Cases(string root)
    {
        var data = new TheoryData<string>();
        if (!Directory.Exists(root))
        {
            return data;
        }

        foreach (var suite in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            foreach (var c in Directory.EnumerateDirectories(suite).Where(d => File.Exists(Path.Combine(d, "expect.json"))).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(Root, c));
            }
        }

        return data;
    }

    /// <summary>The upstream sample suites copied into the repository (tests/conformance/upstream).</summary>
    public static TheoryData<string> UpstreamCases() => Cases(Path.Combine(Root, "tests", "conformance", "upstream"));

    public static TheoryData<string> OwnCases() => Cases(Path.Combine(Root, "tests", "conformance"));

    [Fact]
    public void Suites_AreFound()
    {
        Assert.True(UpstreamCases().Count >= 98, $"expected the upstream k8s-netpol, anp, cnp and calico-policy suites (98 cases) under tests/conformance/upstream, found {UpstreamCases().Count}");
        Assert.True(OwnCases().Count >= 200, $"expected our own suites, found {OwnCases().Count}");
    }

    [Theory]
    [MemberData(nameof(UpstreamCases))]
    public void UpstreamCase_LiveEqualsComputed_AndUpstream(string casePath) => Run(casePath);

    [Theory]
    [MemberData(nameof(OwnCases))]
    public void OwnCase_LiveEqualsComputed_AndExpected(string casePath) => Run(casePath);

    /// <summary>Every tenth upstream case (each suite represented), the whole path: API server, watch, agents, kernel.</summary>
    public static TheoryData<string> ViaServerCases()
    {
        var data = new TheoryData<string>();
        var all = new List<string>();
        foreach (var row in UpstreamCases())
        {
            all.Add(row);
        }

        for (var i = 0; i < all.Count; i += 10)
        {
            data.Add(all[i]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ViaServerCases))]
    public void UpstreamCase_ThroughAnEmbeddedServer_LiveEqualsComputed_AndUpstream(string casePath) => Run(casePath, viaServer: true);

    private void Run(string casePath, bool viaServer = false)
    {
        var dir = Path.GetFullPath(Path.Combine(Root, casePath));
        var cluster = File.Exists(Path.Combine(dir, "cluster.yaml")) ? Path.Combine(dir, "cluster.yaml") : Path.Combine(Path.GetDirectoryName(dir)!, "cluster.yaml");
        using var expect = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expect.json")));
        var args = new List<string> { "lab", "run", "-f", cluster, "--nodes", "2", "--compare", "-o", "json", "--state", statePath };
        if (File.Exists(Path.Combine(dir, "policies.yaml")))
        {
            args.AddRange(["-f", Path.Combine(dir, "policies.yaml")]);
        }

        foreach (var port in expect.RootElement.GetProperty("ports").EnumerateArray())
        {
            args.AddRange(["--port", port.GetString()!]);
        }

        if (viaServer)
        {
            args.Add("--via-server");
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run([.. args], stdout, stderr, isTerminal: false);
        Assert.True(code == 0, $"lab run --compare exited {code}:\n{stderr}");

        using var doc = JsonDocument.Parse(stdout.ToString());
        var allowed = expect.RootElement.GetProperty("allowed").EnumerateArray().Select(Key).ToHashSet();
        var probes = expect.RootElement.TryGetProperty("probes", out var p)
            ? p.EnumerateArray().ToDictionary(Key, e => e[3].GetBoolean())
            : null;
        var wrong = new List<string>();
        var probed = 0;
        foreach (var c in doc.RootElement.GetProperty("connections").EnumerateArray())
        {
            if (c.GetProperty("allowed").ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            probed++;
            var key = (c.GetProperty("from").GetString()!, c.GetProperty("to").GetString()!, $"{c.GetProperty("port").GetInt32()}/{c.GetProperty("protocol").GetString()}");
            bool? expected = probes is null ? allowed.Contains(key) : probes.TryGetValue(key, out var e) ? e : null;
            var live = c.GetProperty("allowed").GetBoolean();
            if (expected is { } want && want != live)
            {
                wrong.Add($"{key}: expected {(want ? "allowed" : "denied")}, live {c.GetProperty("outcome").GetString()}");
            }
        }

        Assert.True(wrong.Count == 0, $"live result differs from the case's expectation:\n{string.Join("\n", wrong)}");
        var onlySctp = expect.RootElement.GetProperty("ports").EnumerateArray().All(x => x.GetString()!.EndsWith("/SCTP", StringComparison.Ordinal));
        Assert.True(probed > 0 || (onlySctp && !LocalLab.SctpSupported), "nothing was probed");
    }

    private static (string, string, string) Key(JsonElement e) => (e[0].GetString()!, e[1].GetString()!, e[2].GetString()!);
}
