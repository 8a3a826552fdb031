using System.Text.Json;
using Palisade.Engine.Calculation;
using Palisade.Manifests;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>
/// The conformance cases on disk (tests/conformance and the upstream samples in tests/conformance/upstream), loaded into an engine:
/// every policy shape the formats produce, with the pods and ports each case asks about.
/// </summary>
internal static class ConformanceCases
{
    public static string Root { get; } = FindRoot();

    /// <summary>Every case folder (one holding expect.json) of every suite, in a stable order.</summary>
    public static List<string> Directories()
    {
        var data = new List<string>();
        foreach (var root in new[] { Path.Combine(Root, "tests", "conformance", "upstream"), Path.Combine(Root, "tests", "conformance") })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var dir in Directory.GetDirectories(root).SelectMany(Directory.GetDirectories).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(dir, "expect.json")))
                {
                    data.Add(Path.GetFullPath(dir));
                }
            }
        }

        return data;
    }

    public static TheoryData<string> Theory()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directories())
        {
            data.Add(dir);
        }

        return data;
    }

    /// <summary>A case's cluster and policies in an engine, and the ports its expectation covers.</summary>
    public static (CalculationEngine Engine, ClusterSnapshot Cluster, List<(Protocol Protocol, int Port)> Ports) Load(string dir)
    {
        var cluster = File.Exists(Path.Combine(dir, "cluster.yaml")) ? Path.Combine(dir, "cluster.yaml") : Path.Combine(dir, "..", "cluster.yaml");
        var paths = new List<string> { cluster };
        if (File.Exists(Path.Combine(dir, "policies.yaml")))
        {
            paths.Add(Path.Combine(dir, "policies.yaml"));
        }

        var loaded = new ManifestLoader().Load(paths);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        using var expect = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expect.json")));
        var ports = expect.RootElement.GetProperty("ports").EnumerateArray().Select(p => ParsePort(p.GetString()!)).ToList();
        return (CalculationEngine.Build(loaded.Cluster, loaded.Policies), loaded.Cluster, ports);
    }

    /// <summary>Every workload of the case on one node, each behind its own interface.</summary>
    public static List<RulesetRenderer.LocalEndpoint> AllLocal(ClusterSnapshot cluster) =>
        cluster.Workloads.Select((w, i) => new RulesetRenderer.LocalEndpoint(w.Id, $"palt{i}")).ToList();

    private static (Protocol, int) ParsePort(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var protocol = text[(slash + 1)..] switch
        {
            "TCP" => Protocol.Tcp,
            "UDP" => Protocol.Udp,
            "SCTP" => new Protocol(132),
            var other => throw new InvalidOperationException($"unknown protocol {other} in {text}"),
        };
        return (protocol, int.Parse(text[..slash], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Palisade.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find Palisade.sln above " + AppContext.BaseDirectory);
    }
}
