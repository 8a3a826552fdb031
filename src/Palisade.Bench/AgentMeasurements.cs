using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Palisade.Agent;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;

namespace Palisade.Bench;

/// <summary>The agent on the bench's router: change to first permitted connection, revocation, and kill -9 restarts under load.</summary>
internal static class AgentMeasurements
{
    private const int Port = DataplaneBench.Port;

    /// <summary>
    /// An agent process enforces "8080 allowed, 8082 denied" while a loop opens about 100 new connections a second,
    /// alternating the two ports; the agent is killed with SIGKILL and started again, again and again. Every failed
    /// allowed connection and every denied one that succeeds is counted.
    /// </summary>
    internal static DataplaneBenchResult MeasureRestarts(DataplaneBenchResult result, int restarts, Func<IReadOnlyList<string>, ProcessStartInfo> agentCommand, Action<string>? progress)
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
                {{BenchManifests.AllowClient("client-to-server", Port + 2)}}
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
                RestartReconcileP50Ms = ConnectMeasurements.Percentile(reconcile, 0.5),
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

    /// <summary>The agent on the router: change to first permitted connection, and revocation of an established one.</summary>
    internal static async Task<DataplaneBenchResult> MeasureAgentAsync(DataplaneBenchResult result, int changes, Action<string>? progress, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("palisade-bench-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "cluster.yaml"), BenchManifests.AgentManifests(1000, 1000));
            var toggle = Path.Combine(dir, "toggle.yaml");
            File.WriteAllText(toggle, BenchManifests.Toggle(allow: false));
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
            for (var i = 0; i < changes + DataplaneBench.AgentWarmupChanges; i++)
            {
                if (i == DataplaneBench.AgentWarmupChanges)
                {
                    warmupPermit.AddRange(permit);
                    warmupRevoke.AddRange(revoke);
                    permit.Clear();
                    revoke.Clear();
                    kernel.Clear();
                }

                var before = agent.Generations;
                var start = Stopwatch.GetTimestamp();
                File.WriteAllText(toggle, BenchManifests.Toggle(allow: true));
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
                File.WriteAllText(toggle, BenchManifests.Toggle(allow: false));
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
                progress?.Invoke($"{(i < DataplaneBench.AgentWarmupChanges ? "warm-up " : string.Empty)}change {i + 1}: permit {permit[^1]:F1} ms, revoke {revoke[^1]:F1} ms; agent: {string.Join(" | ", agentLog.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(2).Select(l => l[(l.IndexOf("generation", StringComparison.Ordinal))..]))}");
            }

            await agentStop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
            return result with
            {
                ChangeToPermitP50Ms = ConnectMeasurements.Percentile(permit, 0.5),
                ChangeToPermitP99Ms = ConnectMeasurements.Percentile(permit, 0.99),
                KernelApplyP99Ms = ConnectMeasurements.Percentile(kernel, 0.99),
                RevocationP50Ms = ConnectMeasurements.Percentile(revoke, 0.5),
                RevocationP99Ms = ConnectMeasurements.Percentile(revoke, 0.99),
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
}
