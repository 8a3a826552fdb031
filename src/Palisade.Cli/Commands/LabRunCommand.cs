using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Palisade.Agent;
using Palisade.Client;
using Palisade.Manifests;
using Palisade.Server;
using Palisade.Cli.Output;
using Palisade.Engine.Analysis;
using Palisade.Lab;
using Palisade.Linux.Lab;
using Palisade.Linux;
using Palisade.Model;

namespace Palisade.Cli.Commands;

/// <summary>
/// <c>palisade lab run</c>: the one-shot proof. Brings up the lab for the manifests' pods, starts an agent per node that
/// enforces the policies with nftables, probes every ordered pair on each port from inside the source pod, prints the
/// live result in the shape of <c>palisade connectivity</c>, and takes everything down again, also on failure.
/// </summary>
internal static class LabRunCommand
{
    /// <summary>One probed (or unprobeable) connection: what the engine computed and what the packets did.</summary>
    private sealed record LiveConnection(Connection Computed, ProbeResult? Probe, string? Skipped)
    {
        /// <summary>Connected is allowed; a reset, an ICMP error or silence is denied (the server listens on every probed port).</summary>
        public bool? Allowed => Probe is null ? null : Probe.Outcome switch
        {
            ProbeOutcome.Connected => true,
            ProbeOutcome.Refused or ProbeOutcome.Timeout or ProbeOutcome.Unreachable => false,
            _ => null,
        };

        public bool Mismatch => Allowed is { } live && live != Computed.Allowed;
    }

    public static Command Create(CliContext context, Func<string, List<string>> serveCommand)
    {
        var files = CommonOptions.Files();
        var nodes = new Option<int>("--nodes", "-n") { Description = "How many nodes to spread the pods over.", DefaultValueFactory = _ => 2, HelpName = "N" };
        var ports = CommonOptions.Ports();
        var compare = new Option<bool>("--compare") { Description = "Print every connection where the live result differs from the computed one, and exit 1 if there is any." };
        var timeout = new Option<int>("--timeout") { Description = "Milliseconds to wait for each probe's answer.", DefaultValueFactory = _ => 1000, HelpName = "MS" };
        var concurrency = new Option<int>("--concurrency") { Description = "Probes in flight at once.", DefaultValueFactory = _ => 32 };
        var replace = new Option<bool>("--replace") { Description = "Take down a lab that is already up first, instead of refusing." };
        var state = new Option<string>("--state")
        {
            Description = "The lab's state file while the run lasts.",
            DefaultValueFactory = _ => LabState.DefaultPath,
            HelpName = "PATH",
        };
        var viaServer = new Option<bool>("--via-server")
        {
            Description = "Run the whole control-plane path: start an embedded palisade server (its own data directory, a free loopback port), " +
                "apply the manifests through its API, and have the node agents watch it instead of reading the files.",
        };
        var output = CommonOptions.Output("table", "json");
        var verbose = CommonOptions.Verbose();
        var command = new Command("run", """
            Prove enforcement on real packets, in one shot (needs root): bring up the lab for the manifests' pods, start
            one agent per node that renders the policies into the node's nftables table, probe every ordered pair of
            distinct pods on each port from inside the source pod (TCP connect, UDP request and reply; bounded
            timeouts, in parallel), print the live result in the shape of 'palisade connectivity', and take everything
            down, also on failure. Connected counts as allowed; a reset, an ICMP error or no answer as denied. Pods
            without an address in their manifest, host-network pods and protocols this kernel lacks (SCTP) cannot be
            probed: those connections are listed as skipped and never count as mismatches.

            Examples:
              sudo palisade lab run -f tests/conformance/k8s-netpol/cluster.yaml -f policies.yaml --port 80/TCP --port 80/UDP --compare
              sudo palisade lab run -f cluster/ -f policies/ --nodes 3 -o json
              sudo palisade lab run -f cluster/ -f policies/ --port 80/TCP --via-server -o json   # server -> watch -> agent -> kernel
            """)
        {
            files, nodes, ports, compare, timeout, concurrency, replace, state, viaServer, output, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            KernelCheck.Require("palisade lab run", KernelNeeds.Agent);
            var ctx = context with { Verbose = parse.GetValue(verbose) };
            var asked = CommonOptions.ParsePorts(parse.GetValue(ports));
            var paths = parse.GetValue(files)!;
            if (ManifestInput.Load(ctx, paths) is not { } loaded)
            {
                return ExitCodes.BadInput;
            }

            var statePath = Path.GetFullPath(parse.GetValue(state)!);
            var computed = ConnectivityAnalyzer.Analyze(loaded.Cluster, loaded.Policies, asked);
            var lab = new LocalLab(statePath);
            var clock = Stopwatch.StartNew();
            LabState up;
            try
            {
                up = lab.Up(loaded.Cluster, new LabOptions
                {
                    Nodes = parse.GetValue(nodes),
                    ExtraPorts = asked,
                    Replace = parse.GetValue(replace),
                    ServerCommand = serveCommand(statePath),
                });
            }
            catch (LabException e)
            {
                ctx.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadInput;
            }

            var upSeconds = clock.Elapsed.TotalSeconds;
            var agents = new List<(NodeAgent Agent, Task Running)>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ApiServer? server = null;
            string? serverData = null;
            try
            {
                var log = ctx.Verbose ? TextWriter.Synchronized(ctx.Error) : TextWriter.Null;
                if (parse.GetValue(viaServer))
                {
                    serverData = Directory.CreateTempSubdirectory("palisade-lab-server-").FullName;
                    server = await ApiServer.StartAsync(new ServerOptions(serverData) { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, null, cancellationToken).ConfigureAwait(false);
                    var applied = await ApplyAsync(server.KubeconfigPath, paths, cancellationToken).ConfigureAwait(false);
                    if (ctx.Verbose)
                    {
                        ctx.Error.WriteLine($"applied {applied} objects through {server.Address}");
                    }
                }

                foreach (var node in up.Nodes)
                {
                    var options = new AgentOptions(server is null ? [.. paths.Select(Path.GetFullPath)] : [], node.Name, LabLocals.For(node.Name, statePath))
                    {
                        NetworkNamespace = node.Netns,
                        Kubeconfig = server?.KubeconfigPath,
                    };
                    var agent = new NodeAgent(options, TextWriter.Null, log);
                    agents.Add((agent, agent.RunAsync(stop.Token)));
                }

                var deadline = Stopwatch.StartNew();
                while (agents.Any(a => a.Agent.Generations == 0))
                {
                    if (agents.FirstOrDefault(a => a.Running.IsCompleted) is { Running: { } ended })
                    {
                        await ended.ConfigureAwait(false);
                        throw new InvalidOperationException("a node agent stopped before enforcing its first ruleset");
                    }

                    if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        throw new TimeoutException("the node agents did not enforce their first rulesets within 60 s");
                    }

                    await Task.Delay(5, cancellationToken).ConfigureAwait(false);
                }

                var enforcedSeconds = clock.Elapsed.TotalSeconds;
                var live = await ProbeAsync(computed, up, parse.GetValue(timeout), parse.GetValue(concurrency), cancellationToken).ConfigureAwait(false);
                var mismatches = live.Where(l => l.Mismatch).ToList();
                var skipped = live.Count(l => l.Allowed is null);
                var summary = string.Create(CultureInfo.InvariantCulture,
                    $"{live.Count} connections: {live.Count(l => l.Allowed == true)} allowed, {live.Count(l => l.Allowed == false)} denied, {skipped} skipped; {mismatches.Count} differ from the computed result. Lab up {upSeconds:0.0} s, enforced at {enforcedSeconds:0.0} s, probed at {clock.Elapsed.TotalSeconds:0.0} s ({up.Pods.Length} pods on {up.Nodes.Length} nodes).");
                if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
                {
                    WriteJson(ctx, live, up, mismatches.Count);
                }
                else
                {
                    WriteTable(ctx, parse.GetValue(compare) ? mismatches : live);
                    ctx.Out.WriteLine(summary);
                }

                if (parse.GetValue(compare))
                {
                    foreach (var m in mismatches)
                    {
                        ctx.Error.WriteLine($"MISMATCH {m.Computed.From.Id} -> {m.Computed.To.Id} {m.Computed.Port}: computed {(m.Computed.Allowed ? "allowed" : "denied")}, live {LabCommand.Name(m.Probe!.Outcome)}");
                    }

                    if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
                    {
                        ctx.Error.WriteLine(summary);
                    }

                    return mismatches.Count == 0 ? ExitCodes.Ok : ExitCodes.Findings;
                }

                return ExitCodes.Ok;
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                foreach (var (agent, running) in agents)
                {
                    try
                    {
                        await running.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is OperationCanceledException or TimeoutException)
                    {
                    }

                    agent.Dispose();
                }

                lab.Down();
                if (server is not null)
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                    Directory.Delete(serverData!, recursive: true);
                }
            }
        });
        return command;
    }

    /// <summary>Probes every computed connection whose ends are both lab pods, from the source pod to the destination's address of a family the source has.</summary>
    private static async Task<List<LiveConnection>> ProbeAsync(ConnectivityReport computed, LabState up, int timeoutMs, int concurrency, CancellationToken cancellationToken)
    {
        var planned = new List<(Connection Connection, ProbeRequest? Request, string? Skipped)>();
        foreach (var c in computed.Connections)
        {
            var from = up.FindPod(c.From.Id);
            var to = up.FindPod(c.To.Id);
            IPAddress? target = from is null || to is null ? null : to.Ips.FirstOrDefault(ip => from.Ips.Any(s => s.AddressFamily == ip.AddressFamily));
            var skipped = from is null ? $"{c.From.Id} is not in the lab" :
                to is null ? $"{c.To.Id} is not in the lab" :
                target is null ? "no address family in common" :
                c.Port.Protocol == Protocol.Sctp && !LocalLab.SctpSupported ? "SCTP is not available in this kernel" :
                ReferenceEquals(c.From, c.To) ? "one lab pod stands for the workload's replicas" :
                null;
            planned.Add((c, skipped is null ? new ProbeRequest(c.From.Id, target!, c.Port) : null, skipped));
        }

        var prober = new LabProber(up, new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(timeoutMs), Concurrency = concurrency });
        var results = await prober.ProbeAsync(planned.Where(p => p.Request is not null).Select(p => p.Request!), cancellationToken).ConfigureAwait(false);
        var next = 0;
        return [.. planned.Select(p => p.Request is null ? new LiveConnection(p.Connection, null, p.Skipped) : new LiveConnection(p.Connection, results[next++], null))];
    }

    private static void WriteJson(CliContext context, List<LiveConnection> live, LabState up, int mismatches) => JsonOutput.Write(context, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("connections");
        foreach (var l in live)
        {
            var c = l.Computed;
            w.WriteStartObject();
            w.WriteString("from", c.From.Id);
            w.WriteString("to", c.To.Id);
            w.WriteNumber("port", c.Port.Port);
            w.WriteString("protocol", c.Port.Protocol.ToString());
            if (l.Allowed is { } allowed)
            {
                w.WriteBoolean("allowed", allowed);
            }
            else
            {
                w.WriteNull("allowed");
            }

            w.WriteBoolean("computed", c.Allowed);
            if (l.Probe is { } probe)
            {
                w.WriteString("outcome", LabCommand.Name(probe.Outcome));
                w.WriteString("address", probe.Request.To.ToString());
                w.WriteNumber("elapsedMs", Math.Round(probe.Elapsed.TotalMilliseconds, 2));
            }

            if (l.Skipped is { } why)
            {
                w.WriteString("skipped", why);
            }

            w.WriteBoolean("mismatch", l.Mismatch);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("summary");
        w.WriteNumber("connections", live.Count);
        w.WriteNumber("allowed", live.Count(l => l.Allowed == true));
        w.WriteNumber("denied", live.Count(l => l.Allowed == false));
        w.WriteNumber("skipped", live.Count(l => l.Allowed is null));
        w.WriteNumber("mismatches", mismatches);
        w.WriteNumber("pods", up.Pods.Length);
        w.WriteNumber("nodes", up.Nodes.Length);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void WriteTable(CliContext context, List<LiveConnection> rows)
    {
        var table = new TableWriter("From", "To", "Port", "Live", "Computed", "Outcome");
        foreach (var l in rows)
        {
            var c = l.Computed;
            table.Add(
                (c.From.Id, CellStyle.Plain),
                (c.To.Id, CellStyle.Plain),
                (c.Port.ToString(), CellStyle.Plain),
                l.Allowed is { } a ? (a ? "allowed" : "denied", a ? CellStyle.Good : CellStyle.Bad) : ("skipped", CellStyle.Dim),
                (c.Allowed ? "allowed" : "denied", CellStyle.Plain),
                (l.Probe is { } p ? LabCommand.Name(p.Outcome) : l.Skipped ?? string.Empty, l.Mismatch ? CellStyle.Bad : CellStyle.Dim));
        }

        if (rows.Count > 0)
        {
            table.Write(context);
        }
    }

    /// <summary>Creates every object of the manifests that the server serves through its API; returns how many.</summary>
    private static async Task<int> ApplyAsync(string kubeconfig, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        using var client = ApiClient.FromKubeconfig(kubeconfig);
        var applier = await ObjectApplier.CreateAsync(client, cancellationToken).ConfigureAwait(false);
        var objects = ManifestJson.ReadPaths(paths).Where(o => applier.Serves(o.ApiVersion, o.Kind)).Select(o => o.Object).ToList();
        await applier.ApplyAsync(objects, cancellationToken).ConfigureAwait(false);
        return objects.Count;
    }
}
