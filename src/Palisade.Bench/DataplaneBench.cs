using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Palisade.Agent;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Bench;

/// <summary>What <c>palisade bench dataplane</c> measured, in one run on this machine.</summary>
public sealed record DataplaneBenchResult
{
    public required int Rules { get; init; }
    public required double SecondsPerScenario { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectionsPerSecond { get; init; }
    public required double PalisadeVsNone { get; init; }
    public required double PalisadeVsConntrack { get; init; }
    public required double PalisadeVsNaive { get; init; }

    /// <summary>
    /// SYNs answered per second through the router (raw SYNs from the client, SYN-ACKs the router forwarded back): the
    /// data plane's admission of new connections, without the user-space work that bounds <see cref="ConnectionsPerSecond"/>.
    /// </summary>
    public required IReadOnlyDictionary<string, double> HandshakesPerSecond { get; init; }

    /// <summary>SYNs sent in the round that counts for <see cref="HandshakesPerSecond"/>.</summary>
    public required IReadOnlyDictionary<string, long> HandshakeSynsSent { get; init; }

    /// <summary>
    /// Share of those SYNs whose SYN-ACK the router forwarded back (from the interface's packet counter, so an ARP reply
    /// in the same seconds can put it a hair above 1).
    /// </summary>
    public required IReadOnlyDictionary<string, double> HandshakeAnsweredShare { get; init; }
    public required double HandshakePalisadeVsNone { get; init; }
    public required double HandshakePalisadeVsConntrack { get; init; }
    public required double HandshakePalisadeVsNaive { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectP50Us { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectP99Us { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectP99UsBySetSize { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectP50UsBySetSize { get; init; }

    /// <summary>
    /// First-packet latency (connect: SYN out, SYN-ACK back) with Palisade's ruleset as its selector set grows, each
    /// size paired with the no-ruleset baseline: connects alternate between the two chains of the topology, so that
    /// the machine's noise falls on both alike; samples of three rounds pooled.
    /// </summary>
    public required IReadOnlyDictionary<string, PairedLatency> FirstPacketBySetSize { get; init; }

    /// <summary>The largest p99 difference (Palisade minus no ruleset) over the set sizes.</summary>
    public required double FirstPacketP99DeltaMaxUs { get; init; }

    /// <summary>The same paired measurement with conntrack only (what any stateful ruleset pays) against no ruleset.</summary>
    public required PairedLatency FirstPacketConntrackOnly { get; init; }

    /// <summary>Palisade's ruleset (1000-member set) against conntrack only: what Palisade adds to a stateful data plane.</summary>
    public required PairedLatency FirstPacketVsConntrack { get; init; }

    /// <summary>No ruleset against no ruleset: the method's own noise (its deltas would be 0 on a quiet machine).</summary>
    public required PairedLatency FirstPacketNoneVsNone { get; init; }
    public double? ChangeToPermitP50Ms { get; init; }
    public double? ChangeToPermitP99Ms { get; init; }
    public double? KernelApplyP99Ms { get; init; }
    public double? RevocationP50Ms { get; init; }
    public double? RevocationP99Ms { get; init; }
    public int? PacketsAfterRevocation { get; init; }

    /// <summary>Slowest change to permit among the agent's first changes (JIT and tiering warm-up), not in the percentiles.</summary>
    public double? AgentWarmupPermitMaxMs { get; init; }

    /// <summary>Slowest revocation among the warm-up changes.</summary>
    public double? AgentWarmupRevokeMaxMs { get; init; }
    public int? AgentRestarts { get; init; }
    public int? RestartProbes { get; init; }
    public int? RestartAllowedFailed { get; init; }
    public int? RestartDeniedSucceeded { get; init; }
    public double? RestartReconcileP50Ms { get; init; }
}

/// <summary>Connect latency through a ruleset and through a baseline, timed in alternation; deltas are ruleset minus baseline.</summary>
public sealed record PairedLatency
{
    /// <summary>Connects timed on each side.</summary>
    public required int Samples { get; init; }
    public required double RulesetP50Us { get; init; }
    public required double RulesetP99Us { get; init; }
    public required double BaselineP50Us { get; init; }
    public required double BaselineP99Us { get; init; }
    public required double P50DeltaUs { get; init; }
    public required double P99DeltaUs { get; init; }
}

/// <summary>
/// Measures the nftables data plane between two namespaces through a router namespace holding the ruleset: new
/// connections per second and connect latency with no ruleset, with conntrack only, with Palisade's rendering of a
/// 10k-rule policy set, and with the same policy as a naive linear rule list (all in the same run), also as bare
/// handshakes per second (SYN to SYN-ACK, see <see cref="HandshakeGenerator"/>); connect latency as the selector set
/// grows, paired with no ruleset on the topology's twin chain; and, with the agent, manifest change to first permitted connection and to revocation.
/// </summary>
public static class DataplaneBench
{
    private const int Port = 8080;

    /// <summary>Connections timed one at a time per latency measurement (its p99 is the tenth slowest).</summary>
    private const int LatencySamples = 1000;

    private const string ConntrackOnly = "table inet bench {\n chain forward {\n  type filter hook forward priority filter; policy accept;\n  ct state established,related accept\n  ct state new accept\n }\n}\n";

    /// <summary>Connects timed on each side per set size and round in the paired first-packet measurement.</summary>
    private const int PairedSamples = 3000;

    /// <summary>Members of the selector set in the latency-by-set-size measurement.</summary>
    private static readonly int[] SetSizes = [100, 1_000, 10_000, 100_000];

    /// <summary>Changes made before the timed ones (see <see cref="DataplaneBenchResult.AgentWarmupPermitMaxMs"/>).</summary>
    public const int AgentWarmupChanges = 5;

    public static async Task<DataplaneBenchResult> RunAsync(int rules, double seconds, int concurrency, int changes, Action<string>? progress, CancellationToken cancellationToken) =>
        await RunAsync(rules, seconds, concurrency, changes, restarts: 0, agentCommand: null, progress, cancellationToken).ConfigureAwait(false);

    /// <param name="restarts">Times to kill -9 and restart an agent process under a probe load (0 to skip).</param>
    /// <param name="agentCommand">Makes the start info of <c>palisade agent</c> with the given arguments.</param>
    public static async Task<DataplaneBenchResult> RunAsync(int rules, double seconds, int concurrency, int changes, int restarts,
        Func<IReadOnlyList<string>, ProcessStartInfo>? agentCommand, Action<string>? progress, CancellationToken cancellationToken)
    {
        // The measuring loops block pool threads while they poll sockets; with only as many pool threads as cores
        // (two here) the in-process agent's continuations would wait for the pool to grow, which is the harness's
        // delay, not the agent's.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
        using var topology = BenchTopology.Create();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var listener = BenchTopology.Listen(Port, echo: false, stop.Token);
        using var twinListener = BenchTopology.Listen(Port, echo: false, stop.Token, BenchTopology.ServerTwin);
        using var nft = new RouterTables(BenchTopology.Router);
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        var p50 = new Dictionary<string, double>(StringComparer.Ordinal);
        var p99 = new Dictionary<string, double>(StringComparer.Ordinal);
        var handshakes = new Dictionary<string, HandshakeGenerator.Outcome>(StringComparer.Ordinal);

        var palisadeTable = PalisadeTable(rules, setSize: 1000, flowLogs: true);
        var scenarios = new (string Name, string? Script)[]
        {
            ("none", null),
            ("palisade-no-flow-logs", RulesetDiff.Replace(PalisadeTable(rules, setSize: 1000, flowLogs: false))),
            ("conntrack", ConntrackOnly),
            ("palisade", RulesetDiff.Replace(palisadeTable)),
            ("naive", NaiveTable(rules)),
        };

        // Three times round, interleaved, so that drift of this shared machine falls on every scenario alike; the best run counts.
        for (var round = 0; round < 3; round++)
        {
            foreach (var (name, script) in scenarios)
            {
                progress?.Invoke($"round {round + 1}: {name}");
                nft.Load(script);
                var rate = await MeasureRateAsync(TimeSpan.FromSeconds(seconds), concurrency, stop.Token).ConfigureAwait(false);
                rates[name] = Math.Max(rates.GetValueOrDefault(name), Math.Round(rate));
                var (lo, hi) = await MeasureLatencyAsync(LatencySamples, stop.Token).ConfigureAwait(false);
                p50[name] = p50.TryGetValue(name, out var a) ? Math.Min(a, lo) : lo;
                p99[name] = p99.TryGetValue(name, out var b) ? Math.Min(b, hi) : hi;

                // Each scenario's handshakes start and leave the router with no connection state.
                RouterTables.ForgetConnections();
                var handshake = HandshakeGenerator.Measure(Port, TimeSpan.FromSeconds(seconds), stop.Token);
                RouterTables.ForgetConnections();
                progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: {name}: {rate:F0} connections/s, {handshake.AnsweredPerSecond:F0} handshakes/s ({handshake.Answered} answered of {handshake.SynsSent} SYNs)"));
                if (!handshakes.TryGetValue(name, out var best) || handshake.AnsweredPerSecond > best.AnsweredPerSecond)
                {
                    handshakes[name] = handshake;
                }
            }
        }

        // First-packet latency as the selector set grows, paired: the twin chain's router has no ruleset, and connects
        // alternate between the chains, so that a p99 (mostly this shared machine's noise when runs are apart) is
        // compared with a baseline that met the same noise. Three times round, each size's samples pooled.
        // Conntrack alone against none, Palisade against conntrack alone, and none against none (the method's own
        // noise) are measured the same way.
        List<(string Key, string? Script, string? Twin, string What)> pairings =
        [
            .. SetSizes.Select(size => (size.ToString(CultureInfo.InvariantCulture), (string?)RulesetDiff.Replace(PalisadeTable(rules, size)), (string?)null, $"a {size}-member selector set against no ruleset")),
            ("conntrack", ConntrackOnly, null, "conntrack only against no ruleset"),
            ("vs-conntrack", RulesetDiff.Replace(palisadeTable), ConntrackOnly, "a 1000-member selector set against conntrack only"),
            ("none", null, null, "no ruleset against no ruleset"),
        ];
        var paired = pairings.ToDictionary(t => t.Key, _ => (Ruleset: new List<double>(), Baseline: new List<double>()), StringComparer.Ordinal);
        using (var twin = new RouterTables(BenchTopology.RouterTwin))
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var (key, script, twinScript, what) in pairings)
                {
                    progress?.Invoke($"round {round + 1}: first-packet latency, paired: {what}");
                    nft.Load(script);
                    twin.Load(twinScript);
                    var (withRules, baseline) = await MeasurePairedLatencyAsync(PairedSamples, stop.Token).ConfigureAwait(false);
                    paired[key].Ruleset.AddRange(withRules);
                    paired[key].Baseline.AddRange(baseline);
                }
            }

            twin.Load(null);
        }

        nft.Load(null);
        var firstPacket = SetSizes.Select(size => size.ToString(CultureInfo.InvariantCulture))
            .ToDictionary(key => key, key => Paired(paired[key].Ruleset, paired[key].Baseline), StringComparer.Ordinal);
        DataplaneBenchResult result = new()
        {
            Rules = rules,
            SecondsPerScenario = seconds,
            ConnectionsPerSecond = rates,
            PalisadeVsNone = Math.Round(rates["palisade"] / rates["none"], 3),
            PalisadeVsConntrack = Math.Round(rates["palisade"] / rates["conntrack"], 3),
            PalisadeVsNaive = Math.Round(rates["palisade"] / rates["naive"], 3),
            HandshakesPerSecond = handshakes.ToDictionary(h => h.Key, h => Math.Round(h.Value.AnsweredPerSecond), StringComparer.Ordinal),
            HandshakeSynsSent = handshakes.ToDictionary(h => h.Key, h => h.Value.SynsSent, StringComparer.Ordinal),
            HandshakeAnsweredShare = handshakes.ToDictionary(h => h.Key, h => Math.Round((double)h.Value.Answered / h.Value.SynsSent, 4), StringComparer.Ordinal),
            HandshakePalisadeVsNone = Math.Round(handshakes["palisade"].AnsweredPerSecond / handshakes["none"].AnsweredPerSecond, 3),
            HandshakePalisadeVsConntrack = Math.Round(handshakes["palisade"].AnsweredPerSecond / handshakes["conntrack"].AnsweredPerSecond, 3),
            HandshakePalisadeVsNaive = Math.Round(handshakes["palisade"].AnsweredPerSecond / handshakes["naive"].AnsweredPerSecond, 3),
            ConnectP50Us = p50,
            ConnectP99Us = p99,
            ConnectP99UsBySetSize = firstPacket.ToDictionary(p => p.Key, p => p.Value.RulesetP99Us, StringComparer.Ordinal),
            ConnectP50UsBySetSize = firstPacket.ToDictionary(p => p.Key, p => p.Value.RulesetP50Us, StringComparer.Ordinal),
            FirstPacketBySetSize = firstPacket,
            FirstPacketP99DeltaMaxUs = firstPacket.Values.Max(p => p.P99DeltaUs),
            FirstPacketConntrackOnly = Paired(paired["conntrack"].Ruleset, paired["conntrack"].Baseline),
            FirstPacketVsConntrack = Paired(paired["vs-conntrack"].Ruleset, paired["vs-conntrack"].Baseline),
            FirstPacketNoneVsNone = Paired(paired["none"].Ruleset, paired["none"].Baseline),
        };

        if (changes > 0)
        {
            progress?.Invoke($"agent: {changes} changes to first permitted connection, {changes} revocations");
            result = await MeasureAgentAsync(result, changes, progress, stop.Token).ConfigureAwait(false);
        }

        if (restarts > 0 && agentCommand is not null)
        {
            progress?.Invoke($"agent: {restarts} kill -9 and restarts under about 100 new connections/s");
            result = MeasureRestarts(result, restarts, agentCommand, progress);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// An agent process enforces "8080 allowed, 8082 denied" while a loop opens about 100 new connections a second,
    /// alternating the two ports; the agent is killed with SIGKILL and started again, again and again. Every failed
    /// allowed connection and every denied one that succeeds is counted.
    /// </summary>
    private static DataplaneBenchResult MeasureRestarts(DataplaneBenchResult result, int restarts, Func<IReadOnlyList<string>, ProcessStartInfo> agentCommand, Action<string>? progress)
    {
        var dir = Directory.CreateTempSubdirectory("palisade-bench-restart-").FullName;
        using var listeners = new CancellationTokenSource();
        var open = new[] { BenchTopology.Listen(Port + 2, echo: false, listeners.Token), BenchTopology.Listen(Port + 3, echo: false, listeners.Token) };
        Process? agent = null;
        var reported = new ManualResetEventSlim();
        try
        {
            File.WriteAllText(Path.Combine(dir, "cluster.yaml"), $$"""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: client
                  namespace: bench
                  labels: {app: client}
                status:
                  podIP: {{BenchTopology.ClientAddress}}
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: server
                  namespace: bench
                  labels: {app: server}
                status:
                  podIP: {{BenchTopology.ServerAddress}}
                ---
                {{AllowClient("client-to-server", Port + 2)}}
                """);
            string[] args = ["agent", "--node", "bench", "--netns", BenchTopology.Router, "-f", dir, "--flows", "/dev/null",
                "--interface", $"bench/client={BenchTopology.ClientInterface}", "--interface", $"bench/server={BenchTopology.ServerInterface}"];
            Process Start()
            {
                reported.Reset();
                var psi = agentCommand(args);
                psi.RedirectStandardError = true;
                psi.RedirectStandardOutput = true;
                var p = new Process { StartInfo = psi };
                p.ErrorDataReceived += (_, e) =>
                {
                    if (e.Data?.Contains("generation", StringComparison.Ordinal) == true)
                    {
                        reported.Set();
                    }
                };
                p.Start();
                p.BeginErrorReadLine();
                p.BeginOutputReadLine();
                return p;
            }

            agent = Start();
            if (!reported.Wait(TimeSpan.FromSeconds(60)) || !TryConnect(Port + 2) || TryConnect(Port + 3))
            {
                throw new TimeoutException("the agent process did not enforce its first ruleset");
            }

            var probes = 0;
            var allowedFailed = 0;
            var deniedSucceeded = 0;
            using var probing = new CancellationTokenSource();
            var prober = new Thread(() =>
            {
                var next = Stopwatch.GetTimestamp();
                while (!probing.IsCancellationRequested)
                {
                    var allowed = probes % 2 == 0;
                    var connected = BenchTopology.TryConnect(allowed ? Port + 2 : Port + 3, allowed ? 1000 : 200, out _);
                    if (allowed && !connected)
                    {
                        Interlocked.Increment(ref allowedFailed);
                    }
                    else if (!allowed && connected)
                    {
                        Interlocked.Increment(ref deniedSucceeded);
                    }

                    Interlocked.Increment(ref probes);
                    next += Stopwatch.Frequency / 100;
                    var wait = next - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                    }
                }
            }) { IsBackground = true };
            prober.Start();

            var reconcile = new List<double>();
            for (var i = 0; i < restarts; i++)
            {
                agent.Kill();
                agent.WaitForExit();
                agent.Dispose();
                var start = Stopwatch.GetTimestamp();
                agent = Start();
                if (!reported.Wait(TimeSpan.FromSeconds(60)))
                {
                    throw new TimeoutException($"restart {i + 1}: the agent did not reconcile");
                }

                reconcile.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                progress?.Invoke($"restart {i + 1}: reconciled in {reconcile[^1]:F0} ms; {probes} probes, {allowedFailed} allowed failed, {deniedSucceeded} denied succeeded");
                Thread.Sleep(200);
            }

            Thread.Sleep(500);
            probing.Cancel();
            prober.Join(TimeSpan.FromSeconds(5));
            return result with
            {
                AgentRestarts = restarts,
                RestartProbes = probes,
                RestartAllowedFailed = allowedFailed,
                RestartDeniedSucceeded = deniedSucceeded,
                RestartReconcileP50Ms = Percentile(reconcile, 0.5),
            };
        }
        finally
        {
            if (agent is { HasExited: false })
            {
                agent.Kill();
                agent.WaitForExit();
            }

            agent?.Dispose();
            listeners.Cancel();
            foreach (var l in open)
            {
                l.Dispose();
            }

            reported.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>New connections per second: connect, then close with a reset (no TIME_WAIT), from many loops at once.</summary>
    private static async Task<double> MeasureRateAsync(TimeSpan duration, int concurrency, CancellationToken cancellationToken)
    {
        using var factory = new SocketFactory(BenchTopology.Client);
        var endpoint = new IPEndPoint(BenchTopology.ServerAddress, Port);
        long count = 0;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < until && !cancellationToken.IsCancellationRequested)
            {
                using var s = factory.Take();
                try
                {
                    await s.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref count);
                }
                catch (SocketException)
                {
                }
            }
        }, cancellationToken)).ToArray();
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(loops).ConfigureAwait(false);
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Connect latency (SYN to established, through the router) one at a time: p50 and p99 in microseconds. A thread of
    /// its own in the client namespace makes each batch of sockets before timing it and connects blocking, so that
    /// neither socket making nor the thread pool's hops fall inside the time.
    /// </summary>
    private static Task<(double P50, double P99)> MeasureLatencyAsync(int samples, CancellationToken cancellationToken) =>
        OnThreadOfItsOwn("connect latency", () =>
        {
            NetworkNamespace.Enter(BenchTopology.Client);
            return MeasureLatency(samples, cancellationToken);
        });

    /// <summary>Runs timing work on a thread of its own (not the pool's, whose hops would fall inside the times).</summary>
    private static Task<T> OnThreadOfItsOwn<T>(string name, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or SocketException)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    private static (double P50, double P99) MeasureLatency(int samples, CancellationToken cancellationToken)
    {
        const int Warmup = 20;
        const int Batch = 100;
        var endpoint = new IPEndPoint(BenchTopology.ServerAddress, Port);
        var times = new List<double>(samples);
        string? lastError = null;
        for (var done = 0; done < samples + Warmup;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sockets = Enumerable.Range(0, Math.Min(Batch, samples + Warmup - done)).Select(_ => LatencySocket()).ToArray();
            var elapsed = new double[sockets.Length];
            for (var k = 0; k < sockets.Length; k++)
            {
                elapsed[k] = TimeConnect(sockets[k], endpoint, ref lastError);
            }

            foreach (var s in sockets)
            {
                s.Dispose();
            }

            // The first connect after a batch of sockets is made is slow (the thread was busy making them, its caches
            // cold): 1 in 100 would be the p99 itself. It is a warm-up, not a sample.
            for (var k = 0; k < elapsed.Length; k++)
            {
                if (done++ >= Warmup && k > 0 && elapsed[k] >= 0)
                {
                    times.Add(elapsed[k]);
                }
            }
        }

        if (times.Count < samples / 2)
        {
            throw new InvalidOperationException($"only {times.Count} of {samples} connections succeeded (last error: {lastError})");
        }

        return (Math.Round(Percentile(times, 0.5), 1), Math.Round(Percentile(times, 0.99), 1));
    }

    /// <summary>A socket for timing connects: no Nagle, reset on close (no TIME_WAIT), bounded blocking calls.</summary>
    private static Socket LatencySocket() =>
        new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0), SendTimeout = 2000, ReceiveTimeout = 2000 };

    /// <summary>One blocking connect, in microseconds; -1 (and the error kept) when it fails.</summary>
    private static double TimeConnect(Socket socket, IPEndPoint endpoint, ref string? lastError)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            socket.Connect(endpoint);
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        catch (SocketException e)
        {
            lastError = e.Message;
            return -1;
        }
    }

    /// <summary>
    /// Connects timed in alternation through the bench chain and its twin: <paramref name="pairs"/> on each side (after
    /// a warm-up), the first of each pair taking turns, each batch of sockets made before it is timed. A thread of its
    /// own connects blocking; sockets keep the namespace they were made in, so it needs to enter none.
    /// </summary>
    private static Task<(List<double> Primary, List<double> Twin)> MeasurePairedLatencyAsync(int pairs, CancellationToken cancellationToken) =>
        OnThreadOfItsOwn("paired connect latency", () => MeasurePairedLatency(pairs, cancellationToken));

    private static (List<double> Primary, List<double> Twin) MeasurePairedLatency(int pairs, CancellationToken cancellationToken)
    {
        const int Warmup = 20;
        const int Batch = 100;
        var endpoint = new IPEndPoint(BenchTopology.ServerAddress, Port);
        var primary = new List<double>(pairs);
        var twin = new List<double>(pairs);
        var failed = 0;
        string? lastError = null;
        Socket[] Make(string netns, int count) => NetworkNamespace.Run(netns, () => Enumerable.Range(0, count).Select(_ => LatencySocket()).ToArray());
        double Time(Socket socket)
        {
            var us = TimeConnect(socket, endpoint, ref lastError);
            failed += us < 0 ? 1 : 0;
            return us;
        }

        for (var done = 0; done < pairs + Warmup;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(Batch, pairs + Warmup - done);
            var a = Make(BenchTopology.Client, count);
            var b = Make(BenchTopology.ClientTwin, count);
            var times = new (double A, double B)[count];
            for (var k = 0; k < count; k++)
            {
                if ((done + k) % 2 == 0)
                {
                    var ta = Time(a[k]);
                    times[k] = (ta, Time(b[k]));
                }
                else
                {
                    // The twin first on odd pairs: neither side always follows the other.
                    var tb = Time(b[k]);
                    times[k] = (Time(a[k]), tb);
                }
            }

            foreach (var socket in a.Concat(b))
            {
                socket.Dispose();
            }

            // The first pair after a batch of sockets is made is slow, and its first connect always the bench chain's:
            // 1 in 100 samples, the p99 itself, and on one side only. It is a warm-up, not a sample.
            for (var k = 0; k < count; k++)
            {
                var (ta, tb) = times[k];
                if (done++ >= Warmup && k > 0 && ta >= 0 && tb >= 0)
                {
                    primary.Add(ta);
                    twin.Add(tb);
                }
            }
        }

        if (primary.Count < pairs / 2)
        {
            throw new InvalidOperationException($"only {primary.Count} of {pairs} paired connections succeeded ({failed} failed; last error: {lastError})");
        }

        return (primary, twin);
    }

    private static PairedLatency Paired(List<double> ruleset, List<double> baseline)
    {
        var (p50, p99) = (Math.Round(Percentile(ruleset, 0.5), 1), Math.Round(Percentile(ruleset, 0.99), 1));
        var (n50, n99) = (Math.Round(Percentile(baseline, 0.5), 1), Math.Round(Percentile(baseline, 0.99), 1));
        return new PairedLatency
        {
            Samples = ruleset.Count,
            RulesetP50Us = p50,
            RulesetP99Us = p99,
            BaselineP50Us = n50,
            BaselineP99Us = n99,
            P50DeltaUs = Math.Round(p50 - n50, 1),
            P99DeltaUs = Math.Round(p99 - n99, 1),
        };
    }

    /// <summary>
    /// Palisade's rendering of a policy set of <paramref name="rules"/> rules over many endpoints, where the client and
    /// server are two of them and the server's ingress allows a selector whose set has <paramref name="setSize"/> members.
    /// </summary>
    private static Dataplane.Nftables.Model.NftTable PalisadeTable(int rules, int setSize, bool flowLogs = true)
    {
        var (cluster, model) = PolicySet(rules, setSize);
        var engine = CalculationEngine.Build(cluster, model);
        var locals = new List<RulesetRenderer.LocalEndpoint>
        {
            new("bench/client", BenchTopology.ClientInterface),
            new("bench/server", BenchTopology.ServerInterface),
        };

        // Every other endpoint is local too (on interfaces that do not exist), so that all the rules are in the table.
        locals.AddRange(cluster.Workloads.Where(w => w.Namespace != "bench").Take(rules / 10).Select((w, i) => new RulesetRenderer.LocalEndpoint(w.Id, $"palx{i}")));
        return new RulesetRenderer(new RuleCatalog(), flowLogs).Render(engine, locals, generation: 1);
    }

    internal static (ClusterSnapshot Cluster, PolicyModel Model) PolicySet(int rules, int setSize)
    {
        var workloads = new List<Workload>
        {
            Pod("bench", "client", BenchTopology.ClientAddress, "app", "client", "member", "yes"),
            Pod("bench", "server", BenchTopology.ServerAddress, "app", "server"),
        };
        for (var i = 0; i < Math.Max(setSize - 1, rules / 10); i++)
        {
            var address = new IPAddress(new byte[] { 10, (byte)(128 + (i >> 16)), (byte)(i >> 8), (byte)i });
            workloads.Add(i < setSize - 1
                ? Pod($"team-{i % 100}", $"m-{i}", address, "app", $"app-{i % 100}", "member", "yes")
                : Pod($"team-{i % 100}", $"m-{i}", address, "app", $"app-{i % 100}"));
        }

        var policies = new List<Policy>();
        var source = new SourceRef("networking.k8s.io/v1", "NetworkPolicy", "bench", "server");
        var server = new Policy("server", source, new Peer { Namespace = "bench", Selector = Selector.Equal("app", "server") })
        {
            Namespace = "bench",
            Order = PolicyModel.KubernetesPolicyOrder,
            GovernsIngress = true,
        };
        policies.Add(server with
        {
            IngressRules =
            [
                new Rule(RuleAction.Allow, new EntityMatch { Peers = [new Peer { NamespaceSelector = Selector.All, Selector = Selector.Equal("member", "yes") }] }, new EntityMatch { Ports = [PortMatch.Single(Port, Protocol.Tcp)] }, new RuleOrigin(source, "spec.ingress[0]", 0)),
            ],
        });

        // The rest of the rules guard other teams' apps: ten rules a policy.
        for (var p = 0; p < rules / 10; p++)
        {
            var ns = $"team-{p % 100}";
            var src = new SourceRef("networking.k8s.io/v1", "NetworkPolicy", ns, $"p-{p}");
            var policy = new Policy($"p-{p}", src, new Peer { Namespace = ns, Selector = Selector.Equal("app", $"app-{p % 100}") })
            {
                Namespace = ns,
                Order = PolicyModel.KubernetesPolicyOrder,
                GovernsIngress = true,
            };
            policies.Add(policy with
            {
                IngressRules = [.. Enumerable.Range(0, 10).Select(r => new Rule(
                    RuleAction.Allow,
                    new EntityMatch { Peers = [new Peer { Namespace = ns, Selector = Selector.Equal("app", $"app-{(p + r) % 100}") }] },
                    new EntityMatch { Ports = [PortMatch.Single(9000 + r, Protocol.Tcp)] },
                    new RuleOrigin(src, $"spec.ingress[{r}]", r)))],
            });
        }

        var namespaces = workloads.Select(w => w.Namespace).Distinct().Select(n => new NamespaceInfo(n, LabelSet.Of(NamespaceInfo.NameLabel, n)));
        var tier = new Tier(PolicyModel.DefaultTierName, PolicyModel.DefaultTierOrder, TierKind.Standard, RuleAction.Deny) { Policies = new(policies) };
        return (new ClusterSnapshot(namespaces, workloads, []), new PolicyModel([tier]));
    }

    private static Workload Pod(string ns, string name, IPAddress address, params string[] labels) =>
        new(ns, name, "Pod", LabelSet.Of(labels))
        {
            Addresses = [address],
            Ports = [new ContainerPort("http", Port, Protocol.Tcp)],
        };

    /// <summary>The same policy as a flat rule list, the way a naive implementation renders it: every rule on every new packet.</summary>
    private static string NaiveTable(int rules)
    {
        var sb = new StringBuilder();
        sb.Append("table inet bench {\n chain forward {\n  type filter hook forward priority filter; policy drop;\n  ct state established,related accept\n");
        for (var i = 0; i < rules; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  ip saddr 10.{128 + (i >> 16)}.{(i >> 8) & 255}.{i & 255} ip daddr 10.200.{(i >> 8) & 255}.{i & 255} tcp dport {9000 + (i % 10)} accept\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"  ip saddr {BenchTopology.ClientAddress} ip daddr {BenchTopology.ServerAddress} tcp dport {Port} accept\n }}\n}}\n");
        return sb.ToString();
    }

    /// <summary>The agent on the router: change to first permitted connection, and revocation of an established one.</summary>
    private static async Task<DataplaneBenchResult> MeasureAgentAsync(DataplaneBenchResult result, int changes, Action<string>? progress, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("palisade-bench-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "cluster.yaml"), AgentManifests(1000, 1000));
            var toggle = Path.Combine(dir, "toggle.yaml");
            File.WriteAllText(toggle, Toggle(allow: false));
            var locals = new List<RulesetRenderer.LocalEndpoint>
            {
                new("bench/client", BenchTopology.ClientInterface),
                new("bench/server", BenchTopology.ServerInterface),
            };
            var options = new AgentOptions([dir], "bench", () => locals) { NetworkNamespace = BenchTopology.Router, Poll = TimeSpan.FromMilliseconds(200) };
            using var agentStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var agentLog = new StringWriter();
            using var agent = new NodeAgent(options, TextWriter.Null, TextWriter.Synchronized(agentLog));
            var running = agent.RunAsync(agentStop.Token);
            await WaitAsync(() => agent.Generations > 0, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            using var echo = BenchTopology.Listen(Port + 1, echo: true, cancellationToken);

            // The probes' sockets come from one thread living in the client's namespace: a thread made per probe (a
            // thousand a second while the loop waits) would compete with the agent for this machine's two cores.
            using var sockets = new SocketFactory(BenchTopology.Client);
            bool Probe(int port)
            {
                using var s = sockets.Take();
                return BenchTopology.TryConnect(s, port, 200, out _);
            }

            var permit = new List<double>();
            var kernel = new List<double>();
            var revoke = new List<double>();
            var leaked = 0;
            var warmupPermit = new List<double>();
            var warmupRevoke = new List<double>();
            // The first changes run code paths the agent has not run yet (JIT, then tiered recompilation): they are
            // made and checked like the others, but timed apart, as warm-up.
            for (var i = 0; i < changes + AgentWarmupChanges; i++)
            {
                if (i == AgentWarmupChanges)
                {
                    warmupPermit.AddRange(permit);
                    warmupRevoke.AddRange(revoke);
                    permit.Clear();
                    revoke.Clear();
                    kernel.Clear();
                }

                var before = agent.Generations;
                var start = Stopwatch.GetTimestamp();
                File.WriteAllText(toggle, Toggle(allow: true));
                await WaitAsync(() => Probe(Port), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                permit.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                await WaitAsync(() => agent.Generations > before, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                kernel.Add(agent.LastKernelMs);

                // An established connection, then the change that withdraws it: how long until it stops.
                using var s = BenchTopology.ClientSocket();
                s.ReceiveTimeout = 2000;
                await s.ConnectAsync(new IPEndPoint(BenchTopology.ServerAddress, Port + 1), cancellationToken).ConfigureAwait(false);
                var buffer = new byte[16];
                s.Send([1]);
                _ = s.Receive(buffer);
                var revokeStart = Stopwatch.GetTimestamp();
                File.WriteAllText(toggle, Toggle(allow: false));
                var cut = false;

                // A short receive timeout: when the change lands between the client's byte and the server's echo, the
                // echo is what the rules stop (the reset goes to the server), and the client would otherwise only learn
                // of it when its retransmission timer fires (200 ms). Sending again lets the next packet meet the rules.
                s.ReceiveTimeout = 10;
                while (Stopwatch.GetElapsedTime(revokeStart) < TimeSpan.FromSeconds(5))
                {
                    try
                    {
                        s.Send([1]);
                        if (s.Receive(buffer) == 0)
                        {
                            cut = true;
                            break;
                        }
                    }
                    catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                    {
                        // No echo yet: the flow may already be stopped; the next send finds out.
                    }
                    catch (SocketException)
                    {
                        cut = true;
                        break;
                    }

                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }

                revoke.Add(Stopwatch.GetElapsedTime(revokeStart).TotalMilliseconds);
                if (!cut)
                {
                    leaked++;
                }

                // Nothing of it may get through afterwards.
                try
                {
                    s.ReceiveTimeout = 50;
                    s.Send([2]);
                    if (s.Receive(buffer) > 0)
                    {
                        leaked++;
                    }
                }
                catch (SocketException)
                {
                }

                await WaitAsync(() => !Probe(Port), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                progress?.Invoke($"{(i < AgentWarmupChanges ? "warm-up " : string.Empty)}change {i + 1}: permit {permit[^1]:F1} ms, revoke {revoke[^1]:F1} ms; agent: {string.Join(" | ", agentLog.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(2).Select(l => l[(l.IndexOf("generation", StringComparison.Ordinal))..]))}");
            }

            await agentStop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
            return result with
            {
                ChangeToPermitP50Ms = Percentile(permit, 0.5),
                ChangeToPermitP99Ms = Percentile(permit, 0.99),
                KernelApplyP99Ms = Percentile(kernel, 0.99),
                RevocationP50Ms = Percentile(revoke, 0.5),
                RevocationP99Ms = Percentile(revoke, 0.99),
                PacketsAfterRevocation = leaked,
                AgentWarmupPermitMaxMs = warmupPermit.Count == 0 ? null : Math.Round(warmupPermit.Max(), 2),
                AgentWarmupRevokeMaxMs = warmupRevoke.Count == 0 ? null : Math.Round(warmupRevoke.Max(), 2),
            };
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static bool TryConnect(int port) => BenchTopology.TryConnect(port, 200, out _);

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                throw new TimeoutException("the data plane did not reach the expected state in time");
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 2);
    }

    /// <summary>A cluster of <paramref name="pods"/> pods and <paramref name="policies"/> policies, plus the bench client and server.</summary>
    internal static string AgentManifests(int pods, int policies)
    {
        var sb = new StringBuilder();
        var client = BenchTopology.ClientAddress.ToString();
        var server = BenchTopology.ServerAddress.ToString();
        sb.Append("apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: bench, labels: {app: client}}\nstatus: {podIP: ").Append(client).Append("}\n---\n");
        sb.Append("apiVersion: v1\nkind: Pod\nmetadata: {name: server, namespace: bench, labels: {app: server}}\n");
        sb.Append(CultureInfo.InvariantCulture, $"spec: {{containers: [{{name: c, ports: [{{containerPort: {Port}, name: http}}, {{containerPort: {Port + 1}, name: echo}}]}}]}}\n");
        sb.Append("status: {podIP: ").Append(server).Append("}\n---\n");
        sb.Append("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: bench}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n");
        for (var i = 0; i < pods; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: pod-{i}, namespace: team-{i % 50}, labels: {{app: app-{i % 40}}}}}\nspec: {{containers: [{{name: c, ports: [{{containerPort: 9000, name: http}}]}}]}}\nstatus: {{podIP: 10.100.{i >> 8}.{i & 255}}}\n");
        }

        for (var i = 0; i < policies; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np-{i}, namespace: team-{i % 50}}}\nspec:\n  podSelector: {{matchLabels: {{app: app-{i % 40}}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: app-{(i + 1) % 40}}}}}}}]\n    ports: [{{port: http}}]\n");
        }

        return sb.ToString();
    }

    private static string Toggle(bool allow) => allow ? AllowClient("allow-client") : "# nothing allowed\n";

    /// <summary>
    /// A NetworkPolicy in namespace bench by which the server admits the client on these TCP ports (on every port when
    /// none is given): the policy the agent measurements and the enforcement tests switch on and off.
    /// </summary>
    internal static string AllowClient(string name, params int[] ports)
    {
        var only = ports.Length == 0 ? string.Empty : $"\n    ports: [{string.Join(", ", ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"{{port: {p}}}")))}]";
        return $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: bench}}\nspec:\n  podSelector: {{matchLabels: {{app: server}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: client}}}}}}]{only}\n";
    }

    /// <summary>One libnftables context in the router namespace, loading whole tables for each scenario.</summary>
    private sealed class RouterTables : IDisposable
    {
        private readonly NftablesContext context;

        public RouterTables(string router) => context = NetworkNamespace.Run(router, () => new NftablesContext());

        public void Load(string? script)
        {
            var commands = "flush ruleset\n" + (script ?? string.Empty);
            context.Run(commands);
        }

        /// <summary>Empties the router's conntrack table, so that no scenario meets another's entries.</summary>
        public static void ForgetConnections() => BenchTopology.Run("ip", ["netns", "exec", BenchTopology.Router, "conntrack", "-F"], null);

        public void Dispose() => context.Dispose();
    }
}
