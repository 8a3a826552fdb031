using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Palisade.Agent;
using Palisade.Bench;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;

namespace Palisade.Agent.Tests;

/// <summary>
/// Enforcement on real packets: a client and a server namespace behind a router namespace where the agent renders the
/// rules (the router plays the node). Revocation, anti-spoofing, fail-safe restarts, atomic updates and flow records.
/// </summary>
[Collection("network namespaces")]
public sealed class EnforcementTests : IDisposable
{
    /// <summary>Client, other and server pods in namespace bench, with a default deny for ingress there.</summary>
    internal const string Header = """
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: bench, labels: {app: client}}
        status: {podIP: 10.99.0.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: other, namespace: bench, labels: {app: other}}
        status: {podIP: 10.99.0.2}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: server, namespace: bench, labels: {app: server}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080, name: http}, {containerPort: 8081}, {containerPort: 8082}, {containerPort: 8083, name: echo}, {containerPort: 5353, protocol: UDP}]}]}
        status: {podIP: 10.99.1.1}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: bench}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        """;

    private readonly BenchTopology topology = BenchTopology.Create();
    private readonly CancellationTokenSource stop = new(TimeSpan.FromMinutes(3));
    private readonly List<Socket> listeners = [];
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-enforce-").FullName;

    public EnforcementTests()
    {
        foreach (var port in new[] { 8080, 8081, 8082 })
        {
            listeners.Add(BenchTopology.Listen(port, echo: false, stop.Token));
        }

        listeners.Add(BenchTopology.Listen(8083, echo: true, stop.Token));
        File.WriteAllText(Path.Combine(dir, "cluster.yaml"), Header);
        Allow();
    }

    public void Dispose()
    {
        stop.Cancel();
        foreach (var l in listeners)
        {
            l.Dispose();
        }

        topology.Dispose();
        Directory.Delete(dir, recursive: true);
        stop.Dispose();
    }

    internal static readonly List<RulesetRenderer.LocalEndpoint> Locals =
    [
        new("bench/client", BenchTopology.ClientInterface),
        new("bench/server", BenchTopology.ServerInterface),
    ];

    /// <summary>Writes the policy in force (in place, as an editor would): the client may reach the server on these ports.</summary>
    private void Allow(params int[] ports) => File.WriteAllText(Path.Combine(dir, "policy.yaml"), AllowPolicy(ports.Length == 0 ? [8080, 8083] : ports));

    /// <summary>NetworkPolicy allow-client: the server admits the client on these TCP ports.</summary>
    internal static string AllowPolicy(params int[] ports) => BenchManifests.AllowClient("allow-client", ports);

    private NodeAgent StartAgent(TextWriter flows, out Task running, CancellationToken token)
    {
        var options = new AgentOptions([dir], "bench", () => Locals) { NetworkNamespace = BenchTopology.Router, Poll = TimeSpan.FromMilliseconds(100) };
        var agent = new NodeAgent(options, flows, TextWriter.Null);
        running = agent.RunAsync(token);
        Wait(() => agent.Generations > 0, "the agent applies its first ruleset");
        return agent;
    }

    private string Ruleset() =>
        File.ReadAllText(Path.Combine(dir, "policy.yaml")) + "\n" +
        NetworkNamespace.Run(BenchTopology.Router, () => { using var nft = new NftablesContext(); return nft.Run("list ruleset"); });

    private static bool Connect(int port, int timeoutMs = 300) => Connect(port, timeoutMs, out _);

    private static bool Connect(int port, int timeoutMs, out string outcome) => BenchTopology.TryConnect(port, timeoutMs, out outcome);

    private static void Wait(Func<bool> condition, string what, int seconds = 20)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(seconds), $"timed out waiting until {what}");
            Thread.Sleep(5);
        }
    }

    [Fact]
    public async Task Policy_IsEnforced_AllowedPortsOpen_OthersDenied()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        using var agent = StartAgent(TextWriter.Null, out var running, cts.Token);

        Assert.True(Connect(8080), Ruleset());
        Assert.False(Connect(8081));
        Assert.False(Connect(8082));
        cts.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Revocation_EstablishedConnection_IsCutRightAfterTheDenyingChange_AndNothingGetsThroughAfter()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        using var agent = StartAgent(TextWriter.Null, out var running, cts.Token);
        using var s = BenchTopology.ClientSocket();
        s.Connect(new IPEndPoint(BenchTopology.ServerAddress, 8083));
        s.ReceiveTimeout = 1000;
        var buffer = new byte[8];
        s.Send([1]);
        Assert.Equal(1, s.Receive(buffer));

        var generation = agent.Generations;
        Allow(8080);
        var sw = Stopwatch.StartNew();
        var cut = false;
        while (sw.Elapsed < TimeSpan.FromSeconds(5) && !cut)
        {
            try
            {
                s.Send([2]);
                cut = s.Receive(buffer) == 0;
            }
            catch (SocketException)
            {
                cut = true;
            }
        }

        Assert.True(cut, "the established connection kept working after the change that denies it");
        Wait(() => agent.Generations > generation, "the agent counts the change");
        Assert.Throws<SocketException>(() =>
        {
            s.Send([3]);
            if (s.Receive(buffer) == 0)
            {
                throw new SocketException();
            }
        });
        Assert.True(Connect(8080), "the still-allowed port keeps working");
        cts.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ServerSource_ApiChangesAreEnforcedAndRevoke_AndTheRulesHoldWhileTheServerIsDown()
    {
        await using var server = await Sources.TestApiServer.StartAsync();
        await server.ApplyAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n---\n" + Header + "\n---\n" + AllowPolicy(8080, 8083));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var options = new AgentOptions([], "bench", () => Locals) { NetworkNamespace = BenchTopology.Router, Kubeconfig = server.Kubeconfig };
        using var agent = new NodeAgent(options, TextWriter.Null, TextWriter.Null);
        var running = agent.RunAsync(cts.Token);
        Wait(() => agent.Generations > 0, "the agent applies its first ruleset from the server");
        Assert.True(Connect(8080), Ruleset());
        Assert.False(Connect(8081));

        using var s = BenchTopology.ClientSocket();
        s.Connect(new IPEndPoint(BenchTopology.ServerAddress, 8083));
        s.ReceiveTimeout = 1000;
        var buffer = new byte[8];
        s.Send([1]);
        Assert.Equal(1, s.Receive(buffer));

        var generation = agent.Generations;
        await server.ApplyAsync(AllowPolicy(8080, 8081));
        Wait(() => agent.Generations > generation, "the agent enforces the change made through the API");
        Assert.True(Connect(8081), Ruleset());
        Assert.Throws<SocketException>(() =>
        {
            s.Send([2]);
            if (s.Receive(buffer) == 0)
            {
                throw new SocketException();
            }
        });

        // The server goes away: the rules in force stay, allowed and denied alike.
        await server.StopAsync();
        await Task.Delay(300);
        Assert.True(Connect(8080));
        Assert.False(Connect(8082));
        Assert.False(running.IsCompleted, "the agent stopped when the server went away");

        await server.StartAgainAsync();
        generation = agent.Generations;
        await server.ApplyAsync(AllowPolicy(8082));
        Wait(() => agent.Generations > generation && Connect(8082), "the agent resumes the watch and enforces a change made after the restart");
        Assert.False(Connect(8080));
        cts.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AntiSpoofing_PacketForgedWithAnotherPodsAddress_IsDropped()
    {
        File.WriteAllText(Path.Combine(dir, "policy.yaml"), """
            # UDP 5353 is open to everyone: only anti-spoofing can stop the forged packet.
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: dns-from-anywhere, namespace: bench}
            spec:
              podSelector: {matchLabels: {app: server}}
              ingress: [{ports: [{port: 5353, protocol: UDP}]}]
            """);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        using var agent = StartAgent(TextWriter.Null, out var running, cts.Token);
        using var receiver = NetworkNamespace.Run(BenchTopology.Server, () =>
        {
            var u = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            u.Bind(new IPEndPoint(IPAddress.Any, 5353));
            u.ReceiveTimeout = 500;
            return u;
        });

        // From the client's namespace, raw IP packets: one with its own source address, one claiming "other"'s.
        using var raw = NetworkNamespace.Run(BenchTopology.Client, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));
        raw.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.HeaderIncluded, true);
        var buffer = new byte[64];
        raw.SendTo(UdpPacket(IPAddress.Parse("10.99.0.1"), BenchTopology.ServerAddress, 5353, "honest"u8), new IPEndPoint(BenchTopology.ServerAddress, 0));
        var n = receiver.Receive(buffer);
        Assert.Equal("honest", System.Text.Encoding.ASCII.GetString(buffer, 0, n));

        raw.SendTo(UdpPacket(IPAddress.Parse("10.99.0.2"), BenchTopology.ServerAddress, 5353, "forged"u8), new IPEndPoint(BenchTopology.ServerAddress, 0));
        Assert.Throws<SocketException>(() => receiver.Receive(buffer));
        cts.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AtomicUpdate_ProbesDuring100Changes_NeverSeeAStateNeitherOldNorNewAllows()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var flows = new StringWriter();
        using var agent = StartAgent(TextWriter.Synchronized(flows), out var running, cts.Token);
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var failedAlways = 0;
        var openedNever = 0;
        var failures = new List<string>();
        var probes = 0;
        var prober = Task.Run(() =>
        {
            while (!probing.IsCancellationRequested)
            {
                // 8080 is allowed in every state; 8082 in none.
                if (!Connect(8080, 500, out var why))
                {
                    Interlocked.Increment(ref failedAlways);
                    lock (failures)
                    {
                        failures.Add($"{why} at generation {agent.Generations}");
                    }
                }

                if (Connect(8082, 100))
                {
                    Interlocked.Increment(ref openedNever);
                }

                Interlocked.Increment(ref probes);
            }
        });

        for (var i = 0; i < 100; i++)
        {
            var before = agent.Generations;
            if (i % 2 == 0)
            {
                Allow(8080, 8081);
            }
            else
            {
                Allow(8080);
            }

            Wait(() => agent.Generations > before, $"change {i} is applied");
        }

        probing.Cancel();
        await prober.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(probes > 50, $"only {probes} probes ran");
        var denied8080 = flows.ToString().Split('\n').Where(l => l.Contains("\"port\":8080", StringComparison.Ordinal) && l.Contains("denied", StringComparison.Ordinal)).ToList();
        Assert.True(failedAlways == 0, $"{failedAlways} of {probes} connections to the always-allowed port failed; failures: {string.Join("; ", failures)}; denied flow records for it: {string.Join("\n", denied8080)}\n{(failedAlways > 0 ? Ruleset() : "")}");
        Assert.Equal(0, openedNever);
        cts.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task FlowRecords_NameBothEndsAndTheDecidingRule()
    {
        var flows = new StringWriter();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        using var agent = StartAgent(TextWriter.Synchronized(flows), out var running, cts.Token);
        Assert.True(Connect(8080));
        Assert.False(Connect(8082));
        Wait(() => flows.ToString().Split('\n').Count(l => l.Length > 0) >= 2, "two flow records are written", 10);

        var records = flows.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var allowed = records.First(r => r.GetProperty("verdict").GetString() == "allowed" && r.GetProperty("destination").GetProperty("port").GetInt32() == 8080);
        Assert.Equal("client", allowed.GetProperty("source").GetProperty("name").GetString());
        Assert.Equal("server", allowed.GetProperty("destination").GetProperty("labels").GetProperty("app").GetString());
        Assert.Equal("ingress", allowed.GetProperty("direction").GetString());
        Assert.Equal("NetworkPolicy bench/allow-client", allowed.GetProperty("decidedBy").GetProperty("policy").GetString());
        Assert.Equal("spec.ingress[0]", allowed.GetProperty("decidedBy").GetProperty("rule").GetString());

        var denied = records.First(r => r.GetProperty("verdict").GetString() == "denied");
        Assert.Equal(8082, denied.GetProperty("destination").GetProperty("port").GetInt32());
        Assert.Equal("end of tier", denied.GetProperty("decidedBy").GetProperty("rule").GetString());
        Assert.Equal("default", denied.GetProperty("decidedBy").GetProperty("tier").GetString());
        cts.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Resync_TableDeletedBehindTheAgentsBack_TheRefusedChangeIsReloadedInFull_AndEnforcementGoesOn()
    {
        var flows = new StringWriter();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        using var agent = StartAgent(TextWriter.Synchronized(flows), out var running, cts.Token);
        Assert.True(Connect(8080));
        Assert.False(Connect(8081));

        // Someone removes Palisade's table (an 'nft flush ruleset', a firewall reload): the next diff names chains
        // and sets the kernel no longer has, and is refused.
        NetworkNamespace.Run(BenchTopology.Router, () => { using var nft = new NftablesContext(); return nft.Run($"delete table inet {RulesetRenderer.TableName}"); });
        Assert.True(Connect(8082), "the table is gone: nothing is enforced");
        var generation = agent.Generations;
        Allow(8080, 8081);
        Wait(() => agent.Generations > generation, "the change is enforced after the kernel refused its diff");

        Assert.Equal(1, agent.Resyncs);
        Assert.True(Connect(8081), Ruleset());
        Assert.True(Connect(8080));
        Assert.False(Connect(8082), Ruleset());
        Assert.Contains("\"status\":\"resynced\"", flows.ToString(), StringComparison.Ordinal);

        // The reloaded table is the base of the next diff: a later change goes through as a diff.
        generation = agent.Generations;
        Allow(8080);
        Wait(() => agent.Generations > generation, "the next change is enforced");
        Assert.False(Connect(8081));
        Assert.Equal(1, agent.Resyncs);
        Assert.False(running.IsCompleted);
        cts.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task FailSafe_KillNine_RulesStayEnforced_AndARestartReconcilesWithoutOpening()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "palisade.dll");
        Process Start() => Process.Start(new ProcessStartInfo("dotnet", ["exec", cli, "agent", "--node", "bench", "--netns", BenchTopology.Router, "-f", dir,
            "--interface", $"bench/client={BenchTopology.ClientInterface}", "--interface", $"bench/server={BenchTopology.ServerInterface}", "--flows", "/dev/null"])
        { RedirectStandardError = true, RedirectStandardOutput = true })!;

        var agent = Start();
        try
        {
            Wait(() => Connect(8080) && !Connect(8082), "the first agent enforces", 60);
            using var probing = new CancellationTokenSource();
            var deniedThrough = 0;
            var allowedFailed = 0;
            var probes = 0;
            var events = new List<string>();
            var prober = Task.Run(() =>
            {
                while (!probing.IsCancellationRequested)
                {
                    if (Connect(8082, 100, out var deniedOutcome))
                    {
                        Interlocked.Increment(ref deniedThrough);
                        lock (events)
                        {
                            events.Add($"8082 {deniedOutcome} at probe {Volatile.Read(ref probes)}");
                        }
                    }

                    if (!Connect(8080, 500, out var allowedOutcome))
                    {
                        Interlocked.Increment(ref allowedFailed);
                        lock (events)
                        {
                            events.Add($"8080 {allowedOutcome} at probe {Volatile.Read(ref probes)}");
                        }
                    }

                    Interlocked.Increment(ref probes);
                }
            });

            for (var round = 0; round < 3; round++)
            {
                agent.Kill();
                agent.WaitForExit();
                agent.Dispose();
                Thread.Sleep(300);
                agent = Start();
                lock (events)
                {
                    events.Add($"restart {round + 1} at probe {Volatile.Read(ref probes)}");
                }

                Wait(() => agent.StandardError.Peek() >= 0, "the restarted agent reports", 60);
            }

            Thread.Sleep(500);
            probing.Cancel();
            await prober.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(probes > 10, $"only {probes} probes ran");
            Assert.True(deniedThrough == 0 && allowedFailed == 0,
                $"{deniedThrough} denied probes got through and {allowedFailed} allowed ones failed of {probes}: {string.Join("; ", events)}");
        }
        finally
        {
            agent.Kill();
            agent.WaitForExit();
            agent.Dispose();
        }
    }

    /// <summary>An IPv4 header (checksum filled by the kernel) and a UDP header (no checksum) with a payload.</summary>
    private static byte[] UdpPacket(IPAddress source, IPAddress destination, int port, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[28 + payload.Length];
        packet[0] = 0x45;
        packet[2] = (byte)(packet.Length >> 8);
        packet[3] = (byte)packet.Length;
        packet[8] = 64;
        packet[9] = 17;
        source.GetAddressBytes().CopyTo(packet, 12);
        destination.GetAddressBytes().CopyTo(packet, 16);
        packet[20] = 0x30;
        packet[21] = 0x39;
        packet[22] = (byte)(port >> 8);
        packet[23] = (byte)port;
        var udpLength = 8 + payload.Length;
        packet[24] = (byte)(udpLength >> 8);
        packet[25] = (byte)udpLength;
        payload.CopyTo(packet.AsSpan(28));
        return packet;
    }
}
