using System.Diagnostics;
using System.Net;
using Palisade.Model;

namespace Palisade.Lab.Tests;

/// <summary>
/// Labs on the real kernel: namespaces, veths, routes and the server process, probed with real packets. No policy is
/// in force (no nftables), so everything that listens is reachable.
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class LocalLabTests : IDisposable
{
    private static readonly PortSpec Tcp80 = new(80, Protocol.Tcp);
    private static readonly PortSpec Udp81 = new(81, Protocol.Udp);
    private readonly string statePath = LabTestSupport.NewStatePath();
    private readonly LocalLab lab;

    public LocalLabTests()
    {
        lab = new LocalLab(statePath);
        lab.Down();
    }

    public void Dispose()
    {
        lab.Down();
        Directory.Delete(Path.GetDirectoryName(statePath)!, recursive: true);
    }

    private LabState Up(string yaml, LabOptions? options = null) =>
        lab.Up(LabTestSupport.Load(yaml), (options ?? new LabOptions()) with { ServerCommand = LabTestSupport.ServerCommand(statePath) });

    private static IEnumerable<ProbeRequest> AllPairs(LabState up, params PortSpec[] ports) =>
        from a in up.Pods
        from b in up.Pods
        where a.WorkloadId != b.WorkloadId
        from p in ports
        select new ProbeRequest(a.WorkloadId, b.Ips[0], p);

    [Fact]
    public async Task Up_FourPodsOnTwoNodes_EveryPairReachesEveryPortOverTcpAndUdp()
    {
        var up = Up(LabTestSupport.FourPods);
        var owner = up.Pods.ToDictionary(p => p.Ips[0], p => p.WorkloadId);

        var results = await new LabProber(up).ProbeAsync(AllPairs(up, Tcp80, Udp81), CancellationToken.None);

        Assert.Equal(24, results.Length);
        Assert.All(results, r =>
        {
            Assert.True(r.Connected, r.ToString());
            Assert.Equal(owner[r.Request.To], r.Reply);
        });

        // Both kinds of path were exercised: pods on the same node and pods on different nodes.
        Assert.Equal(up.FindPod("x/a")!.Node, up.FindPod("y/a")!.Node);
        Assert.NotEqual(up.FindPod("x/a")!.Node, up.FindPod("x/b")!.Node);
    }

    [Fact]
    public async Task Probe_PortNothingListensOn_IsRefusedNotTimedOut()
    {
        var up = Up(LabTestSupport.FourPods);
        var to = up.FindPod("y/b")!.Ips[0];

        var results = await new LabProber(up).ProbeAsync(
            [new("x/a", to, new(90, Protocol.Tcp)), new("x/a", to, new(90, Protocol.Udp)), new("x/b", to, new(81, Protocol.Tcp))],
            CancellationToken.None);

        Assert.All(results, r => Assert.Equal(ProbeOutcome.Refused, r.Outcome));
    }

    [Fact]
    public async Task Up_ExtraPorts_ServedOnEveryPodBesidesDeclaredOnes()
    {
        var up = Up(LabTestSupport.FourPods, new LabOptions { ExtraPorts = [new(90, Protocol.Tcp), new(90, Protocol.Udp)] });

        // Served ports answer: they are given more than the default second, which a machine busy with other work can
        // take to answer a pod's first datagram (a timeout here said nothing of the lab).
        var patient = new ProbeOptions { Timeout = TimeSpan.FromSeconds(5) };
        var served = await new LabProber(up, patient).ProbeAsync(AllPairs(up, new PortSpec(90, Protocol.Tcp), new PortSpec(90, Protocol.Udp)), CancellationToken.None);
        var other = await new LabProber(up).ProbeAsync(AllPairs(up, new PortSpec(91, Protocol.Tcp)), CancellationToken.None);

        Assert.All(served, r => Assert.True(r.Connected, r.ToString()));
        Assert.All(other, r => Assert.Equal(ProbeOutcome.Refused, r.Outcome));
    }

    [Fact]
    public async Task Probe_AddressNoNodeRoutes_IsUnreachableAndUnknownSourceFails()
    {
        var up = Up(LabTestSupport.FourPods);

        var results = await new LabProber(up, new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(500) }).ProbeAsync(
            [new("x/a", IPAddress.Parse("10.99.99.99"), Tcp80), new("nobody/here", up.FindPod("x/a")!.Ips[0], Tcp80)],
            CancellationToken.None);

        Assert.Equal(ProbeOutcome.Unreachable, results[0].Outcome);
        Assert.Equal(ProbeOutcome.Failed, results[1].Outcome);
    }

    [Fact]
    public void Status_ListsNodesPodsAndRunningServer()
    {
        Up(LabTestSupport.FourPods);

        var status = lab.Status()!;

        Assert.Equal(["x/a", "x/b", "y/a", "y/b"], status.Pods.Select(p => p.WorkloadId));
        Assert.Equal(2, status.Nodes.Length);
        Assert.True(LocalLab.ServerRunning(status));
        Assert.Equal(
            status.Pods.Select(p => p.Netns).Concat(status.Nodes.Select(n => n.Netns)).Append("pal-fabric").Order(StringComparer.Ordinal),
            LabTestSupport.LabNamespacesListed().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Down_RemovesEveryNamespaceTheServerAndTheStateFile_AndAgainHasNothingToDo()
    {
        var up = Up(LabTestSupport.FourPods);

        var down = lab.Down();
        var again = lab.Down();

        Assert.Equal(7, down.Namespaces.Length);
        Assert.Equal(up.ServerPid, Assert.Single(down.KilledServers));
        Assert.True(down.StateRemoved);
        Assert.Empty(LabTestSupport.LabNamespacesListed());
        Assert.False(File.Exists(statePath));
        Assert.False(LocalLab.ServerRunning(up));
        Assert.True(again.NothingToDo);
        Assert.Null(lab.Status());
    }

    [Fact]
    public void Down_AfterCrashWithoutStateFile_StillRemovesEverything()
    {
        var up = Up(LabTestSupport.FourPods);
        using (var server = Process.GetProcessById(up.ServerPid!.Value))
        {
            server.Kill();
        }

        File.Delete(statePath);

        var down = lab.Down();

        Assert.Equal(7, down.Namespaces.Length);
        Assert.Empty(LabTestSupport.LabNamespacesListed());
    }

    [Fact]
    public void Down_LostStateFileWithServerRunning_EndsTheServerToo()
    {
        var up = Up(LabTestSupport.FourPods);
        File.Delete(statePath);

        var down = lab.Down();

        Assert.Equal(up.ServerPid, Assert.Single(down.KilledServers));
        Assert.False(LocalLab.ServerRunning(up));
        Assert.Empty(LabTestSupport.LabNamespacesListed());
    }

    [Fact]
    public void Up_ServerFailsToStart_RemovesEverythingAndSaysWhy()
    {
        var e = Assert.Throws<LabException>(() =>
            lab.Up(LabTestSupport.Load(LabTestSupport.FourPods), new LabOptions { ServerCommand = ["/bin/sh", "-c", "echo no server here >&2; exit 3"] }));

        Assert.Contains("no server here", e.Message, StringComparison.Ordinal);
        Assert.Empty(LabTestSupport.LabNamespacesListed());
        Assert.False(File.Exists(statePath));
    }

    [Fact]
    public void Up_WhileUp_RefusesUnlessReplacing()
    {
        Up(LabTestSupport.FourPods);

        Assert.Throws<LabException>(() => Up(LabTestSupport.FourPods));
        var again = Up(LabTestSupport.FourPods, new LabOptions { Replace = true });

        Assert.True(LocalLab.ServerRunning(again));
        Assert.Equal(7, LabTestSupport.LabNamespacesListed().Count);
    }

    [Fact]
    public void Up_LeavesTheRootNamespaceAlone()
    {
        var before = (Ip("link", "show"), Ip("route", "show"), Ip("-6", "route", "show"));

        Up(LabTestSupport.FourPods);

        Assert.Equal(before, (Ip("link", "show"), Ip("route", "show"), Ip("-6", "route", "show")));
    }

    [Fact]
    public async Task Up_DualStackPods_ReachEachOtherOverIPv6Too()
    {
        var up = Up("""
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: v6}
            spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 81, protocol: UDP}]}]}
            status: {podIP: 10.0.6.1, podIPs: [{ip: 10.0.6.1}, {ip: "fd00:10::1"}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: b, namespace: v6}
            spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 81, protocol: UDP}]}]}
            status: {podIP: 10.0.6.2, podIPs: [{ip: 10.0.6.2}, {ip: "fd00:10::2"}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: c, namespace: v6}
            spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
            status: {podIP: "fd00:10::3"}
            """);
        var v6 = IPAddress.Parse("fd00:10::2");

        var results = await new LabProber(up).ProbeAsync(
            [new("v6/a", v6, Tcp80), new("v6/a", v6, Udp81), new("v6/c", v6, Tcp80), new("v6/b", IPAddress.Parse("fd00:10::3"), Tcp80), new("v6/a", IPAddress.Parse("10.0.6.2"), Tcp80)],
            CancellationToken.None);

        Assert.All(results, r => Assert.True(r.Connected, r.ToString()));
        Assert.NotEqual(up.FindPod("v6/a")!.Node, up.FindPod("v6/b")!.Node);
    }

    [Fact]
    public async Task Up_200Pods_AnswersAndGoesDown()
    {
        var cluster = LabTestSupport.Load(LabTestSupport.ManyPods(200));
        var up = lab.Up(cluster, new LabOptions { Nodes = 4, ExtraPorts = [Tcp80], ServerCommand = LabTestSupport.ServerCommand(statePath) });
        Assert.Equal(200, up.Pods.Length);
        Assert.Equal(205, LabTestSupport.LabNamespacesListed().Count);

        var random = new Random(7);
        var sample = Enumerable.Range(0, 400).Select(_ =>
        {
            var (a, b) = (up.Pods[random.Next(200)], up.Pods[random.Next(200)]);
            var port = random.Next(3) switch { 0 => Tcp80, 1 => new PortSpec(8080, Protocol.Tcp), _ => new PortSpec(53, Protocol.Udp) };
            return new ProbeRequest(a.WorkloadId, b.Ips[0], port);
        }).ToList();
        var results = await new LabProber(up).ProbeAsync(sample, CancellationToken.None);
        var down = lab.Down();

        Assert.All(results, r => Assert.True(r.Connected, r.ToString()));
        Assert.Equal(205, down.Namespaces.Length);
        Assert.Empty(LabTestSupport.LabNamespacesListed());
    }

    private static string Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
