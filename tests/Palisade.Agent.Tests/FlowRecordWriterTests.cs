using System.Net;
using System.Text.Json;
using Palisade.Dataplane.Nftables;
using Palisade.Manifests;
using Palisade.Model.Policies;

namespace Palisade.Agent.Tests;

/// <summary>A flow record names both ends by their workloads and the rule whose number the packet's mark carries.</summary>
public sealed class FlowRecordWriterTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly RuleCatalog catalog = new();
    private readonly StringWriter output = new();
    private readonly FlowRecordWriter writer;

    public FlowRecordWriterTests()
    {
        writer = new FlowRecordWriter("node-1", catalog, output);
        var loaded = new ManifestLoader().LoadText(EnforcementTests.Header, "cluster.yaml");
        writer.Workloads(loaded.Cluster);
    }

    public void Dispose() => output.Dispose();

    private JsonElement Only()
    {
        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    [Fact]
    public void Write_IngressAllowedByAPolicyRule_NamesBothWorkloadsAndTheRule()
    {
        var id = catalog.IdOf("k", () => new DecidingRule("default", "NetworkPolicy bench/allow-client", "spec.ingress[0]", RuleAction.Allow, Direction.Ingress));

        writer.Write(new LoggedPacket("pal:allow", ((uint)id << 8) | 0x4, IPAddress.Parse("10.99.0.1"), IPAddress.Parse("10.99.1.1"), 6, 40000, 8080, At));

        var r = Only();
        Assert.Equal("node-1", r.GetProperty("node").GetString());
        Assert.Equal("ingress", r.GetProperty("direction").GetString());
        Assert.Equal("allowed", r.GetProperty("verdict").GetString());
        Assert.Equal("TCP", r.GetProperty("protocol").GetString());
        Assert.Equal("client", r.GetProperty("source").GetProperty("name").GetString());
        Assert.Equal(40000, r.GetProperty("source").GetProperty("port").GetInt32());
        Assert.Equal("server", r.GetProperty("destination").GetProperty("labels").GetProperty("app").GetString());
        Assert.Equal("NetworkPolicy bench/allow-client", r.GetProperty("decidedBy").GetProperty("policy").GetString());
        Assert.Equal("spec.ingress[0]", r.GetProperty("decidedBy").GetProperty("rule").GetString());
        Assert.Equal("Allow", r.GetProperty("decidedBy").GetProperty("action").GetString());
        Assert.Equal("2026-01-02T03:04:05.0000000+00:00", r.GetProperty("time").GetString());
    }

    [Fact]
    public void Write_EgressDeniedAtTheEndOfATier_ToAnOutsideAddress_SaysEndOfTierAndNamesNoWorkload()
    {
        var id = catalog.IdOf("end", () => new DecidingRule("default", null, null, RuleAction.Deny, Direction.Egress));

        writer.Write(new LoggedPacket("pal:deny", (uint)id << 8, IPAddress.Parse("10.99.0.1"), IPAddress.Parse("192.0.2.9"), 17, 5000, 53, At));

        var r = Only();
        Assert.Equal("egress", r.GetProperty("direction").GetString());
        Assert.Equal("denied", r.GetProperty("verdict").GetString());
        Assert.Equal("end of tier", r.GetProperty("decidedBy").GetProperty("rule").GetString());
        Assert.False(r.GetProperty("destination").TryGetProperty("name", out _));
    }

    [Fact]
    public void Write_NoPolicyApplies_SaysSoInsteadOfARule()
    {
        writer.Write(new LoggedPacket("pal:open", 0, IPAddress.Parse("10.99.0.2"), IPAddress.Parse("10.99.0.1"), 6, 1, 2, At));

        var r = Only();
        Assert.Equal("both", r.GetProperty("direction").GetString());
        Assert.Equal("no policy applies (not isolated)", r.GetProperty("decidedBy").GetProperty("reason").GetString());
    }

    [Fact]
    public void WriteStatus_IsOneLineWithTheStatusTheReasonAndTheCount()
    {
        writer.WriteStatus(At, "resynced", "Error: No such file or directory", 3);

        var r = Only();
        Assert.Equal("resynced", r.GetProperty("status").GetString());
        Assert.Equal("Error: No such file or directory", r.GetProperty("reason").GetString());
        Assert.Equal(3, r.GetProperty("count").GetInt32());
        Assert.Equal("node-1", r.GetProperty("node").GetString());
    }
}
