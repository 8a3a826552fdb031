using System.Net;
using Palisade.Agent;
using Palisade.Model;

namespace Palisade.Lab.Tests;

/// <summary>What a lab is made of, decided without the kernel: pods, nodes, names, ports, skips, the state file.</summary>
public sealed class LabPlannerTests : IDisposable
{
    private readonly string statePath = LabTestSupport.NewStatePath();

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(statePath)!, recursive: true);

    private static LabState Plan(string yaml, LabOptions? options = null, bool sctp = false, bool ipv6 = true) =>
        LabPlanner.Plan(LabTestSupport.Load(yaml), options ?? new LabOptions(), sctp, ipv6);

    [Fact]
    public void Plan_FourPodsTwoNodes_SpreadsRoundRobinInWorkloadOrder()
    {
        var lab = Plan(LabTestSupport.FourPods);

        Assert.Equal(["node-1", "node-2"], lab.Nodes.Select(n => n.Name));
        Assert.Equal(["pal-node-1", "pal-node-2"], lab.Nodes.Select(n => n.Netns));
        Assert.Equal(["172.31.255.1", "172.31.255.2"], lab.Nodes.Select(n => n.Address));
        Assert.Equal(["x/a", "x/b", "y/a", "y/b"], lab.Pods.Select(p => p.WorkloadId));
        Assert.Equal(["node-1", "node-2", "node-1", "node-2"], lab.Pods.Select(p => p.Node));
        Assert.Equal(IPAddress.Parse("10.0.2.2"), Assert.Single(lab.FindPod("y/b")!.Ips));
    }

    [Fact]
    public void Names_DeriveFromSha1OfWorkloadId()
    {
        var lab = Plan(LabTestSupport.FourPods);

        Assert.Equal("pal-p-e4fccf5a38c6", lab.FindPod("x/a")!.Netns);
        Assert.Equal("pale4fccf5a38c", lab.FindPod("x/a")!.Interface);
        Assert.Equal("pal-p-29a2e836f92a", lab.FindPod("y/b")!.Netns);
        Assert.Equal("pal29a2e836f92", lab.FindPod("y/b")!.Interface);
        Assert.All(lab.Pods, p => Assert.True(p.Interface.Length <= 15));
    }

    [Fact]
    public void Plan_WorkloadsWithoutAddressOrOnHostNetwork_AreSkippedWithReason()
    {
        var lab = Plan(LabTestSupport.FourPods);

        Assert.Null(lab.FindPod("x/web"));
        Assert.Null(lab.FindPod("y/agent"));
        Assert.Contains(lab.Skipped, s => s.Subject == "x/web" && s.Reason.Contains("no pod IP", StringComparison.Ordinal));
        Assert.Contains(lab.Skipped, s => s.Subject == "y/agent" && s.Reason.Contains("host network", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_KernelWithoutSctp_LeavesSctpPortsOutAndRecordsIt()
    {
        var without = Plan(LabTestSupport.FourPods, sctp: false);
        var with = Plan(LabTestSupport.FourPods, sctp: true);

        Assert.Equal(["80/TCP", "81/UDP"], without.FindPod("x/a")!.Ports.Select(p => p.ToString()));
        Assert.Contains(without.Skipped, s => s.Subject == "x/a 82/SCTP" && s.Reason.Contains("no SCTP", StringComparison.Ordinal));
        Assert.Equal(["80/TCP", "81/UDP", "82/SCTP"], with.FindPod("x/a")!.Ports.Select(p => p.ToString()));
    }

    [Fact]
    public void Plan_ExtraPorts_ServedOnEveryPodOnce()
    {
        var lab = Plan(LabTestSupport.FourPods, new LabOptions { ExtraPorts = [new(80, Protocol.Tcp), new(80, Protocol.Udp), new(80, Protocol.Udp)] });

        Assert.All(lab.Pods, p => Assert.Equal(["80/TCP", "80/UDP", "81/UDP"], p.Ports.Select(x => x.ToString())));
        Assert.Equal(2, lab.ExtraPorts.Length);
    }

    [Fact]
    public void Plan_AddressTakenTwice_SecondOwnerSkipped()
    {
        var lab = Plan("""
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x}
            status: {podIP: 10.0.0.1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: b, namespace: x}
            status: {podIP: 10.0.0.1}
            """);

        Assert.Equal("x/a", Assert.Single(lab.Pods).WorkloadId);
        Assert.Contains(lab.Skipped, s => s.Subject.StartsWith("x/b", StringComparison.Ordinal) && s.Reason.Contains("x/a", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    public void Plan_NodeCountOutOfRange_Throws(int nodes) =>
        Assert.Throws<LabException>(() => Plan(LabTestSupport.FourPods, new LabOptions { Nodes = nodes }));

    [Theory]
    [InlineData("pal-fabric", true)]
    [InlineData("pal-node-1", true)]
    [InlineData("pal-node-254", true)]
    [InlineData("pal-p-e4fccf5a38c6", true)]
    [InlineData("pal-node-", false)]
    [InlineData("pal-node-x", false)]
    [InlineData("pal-p-e4fccf5a38c", false)]
    [InlineData("pal-bench-c", false)]
    [InlineData("pal-t-123-4567", false)]
    [InlineData("default", false)]
    public void IsLabNetns_OnlyTheLabsOwnNames(string name, bool expected) => Assert.Equal(expected, LabNames.IsLabNetns(name));

    [Fact]
    public void StateFile_RoundTripsAndTheAgentReadsItsPods()
    {
        var lab = Plan(LabTestSupport.FourPods, new LabOptions { ExtraPorts = [new(80, Protocol.Udp)] }) with { ServerPid = 42 };
        var path = statePath;

        lab.Write(path);
        var back = LabState.Read(path)!;
        var json = File.ReadAllText(path);

        Assert.Equal(42, back.ServerPid);
        Assert.Equal(lab.Pods.Select(p => (p.WorkloadId, p.Node, p.Netns, p.Interface, string.Join(",", p.Ips), string.Join(",", p.Ports))),
            back.Pods.Select(p => (p.WorkloadId, p.Node, p.Netns, p.Interface, string.Join(",", p.Ips), string.Join(",", p.Ports))));
        Assert.Contains("\"workloadId\": \"x/a\"", json, StringComparison.Ordinal);
        Assert.Contains("\"ports\": [", json, StringComparison.Ordinal);
        Assert.Contains("\"80/TCP\"", json, StringComparison.Ordinal);
        Assert.Contains("\"ips\": [", json, StringComparison.Ordinal);
        Assert.Contains("\"serverPid\": 42", json, StringComparison.Ordinal);
        var locals = LabLocals.Read("node-2", path);
        Assert.Equal([("x/b", "pal2d388dc7395"), ("y/b", "pal29a2e836f92")], locals.Select(l => (l.WorkloadId, l.Interface)));
    }

    [Fact]
    public void Read_DamagedStateFile_SaysLabDownStillWorks()
    {
        var path = statePath;
        File.WriteAllText(path, "{ not json");

        var e = Assert.Throws<InvalidDataException>(() => LabState.Read(path));
        Assert.Contains("lab down", e.Message, StringComparison.Ordinal);
    }
}
