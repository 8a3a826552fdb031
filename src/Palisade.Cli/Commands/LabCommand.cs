using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Palisade.Cli.Output;
using Palisade.Lab;
using Palisade.Linux;
using Palisade.Linux.Lab;
using Palisade.Model;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade lab</c>: the manifests' pods as network namespaces on this machine, to run and probe without a cluster.</summary>
internal static class LabCommand
{
    public static Command Create(CliContext context)
    {
        var lab = new Command("lab", """
            Run the manifests' pods as network namespaces on this machine, to run and probe without a cluster.

            Needs root. A namespace per node and per pod, pods wired to their nodes by veth pairs with the addresses
            from their manifests, nodes joined by a bridge, and a server answering on every declared port. Nothing is
            added to or changed in the machine's own network namespace.

            Examples:
              sudo palisade lab up -f tests/conformance/k8s-netpol/cluster.yaml --nodes 2 --port 80/TCP --port 81/UDP
              sudo palisade lab status
              sudo palisade lab probe --from x/a --to y/b --port 80/TCP
              sudo palisade lab down
              sudo palisade lab run -f tests/conformance/k8s-netpol/cluster.yaml -f policies.yaml --port 80/TCP --compare
            """);
        lab.Subcommands.Add(Up(context));
        lab.Subcommands.Add(Status(context));
        lab.Subcommands.Add(Down(context));
        lab.Subcommands.Add(Probe(context));
        lab.Subcommands.Add(LabRunCommand.Create(context, ServeCommand));
        lab.Subcommands.Add(Serve(context));
        return lab;
    }

    private static Option<string> StateOption() => new("--state")
    {
        Description = "The lab's state file (what it made; node agents read it too).",
        DefaultValueFactory = _ => LabState.DefaultPath,
        HelpName = "PATH",
    };

    private static Command Up(CliContext context)
    {
        var files = CommonOptions.Files();
        var nodes = new Option<int>("--nodes", "-n") { Description = "How many nodes to spread the pods over (round-robin in workload order).", DefaultValueFactory = _ => 2, HelpName = "N" };
        var ports = new Option<string[]>("--port", "-p")
        {
            Description = "Also serve this port on every pod, as PORT/PROTOCOL (TCP, UDP, SCTP), e.g. 80/TCP. Repeatable.",
            HelpName = "PORT/PROTO",
        };
        var replace = new Option<bool>("--replace") { Description = "Take down a lab that is already up first, instead of refusing." };
        var state = StateOption();
        var output = CommonOptions.Output("table", "json");
        var verbose = CommonOptions.Verbose();
        var command = new Command("up", """
            Bring up a lab: a network namespace per node (pal-node-1, ...) joined by a bridge in pal-fabric, and one per pod
            (pal-p-...) holding the pod's addresses from its manifest (status.podIP, status.podIPs) as routed /32s
            behind a veth on its node, Calico-style. One server process answers on every port each pod declares, TCP
            and UDP (SCTP only where the kernel has it), replying with the pod's NAMESPACE/NAME. Workloads without an
            address in their manifest (Deployments and other controllers) and host-network pods are skipped and listed:
            the lab invents no addresses, since the policies' rules would not know them. On any failure everything made
            so far is removed.

            Examples:
              sudo palisade lab up -f tests/conformance/k8s-netpol/cluster.yaml
              sudo palisade lab up -f tests/conformance/k8s-netpol/cluster.yaml --nodes 3 --port 80/TCP --port 80/UDP --port 81/TCP --port 81/UDP
              sudo palisade lab up -f pods/ --replace -o json
            """)
        {
            files, nodes, ports, replace, state, output, verbose,
        };
        command.SetAction(parse =>
        {
            KernelCheck.Require("palisade lab up", KernelNeeds.Root | KernelNeeds.Ip);
            var ctx = context with { Verbose = parse.GetValue(verbose) };
            var extra = CommonOptions.ParsePorts(parse.GetValue(ports));
            if (ManifestInput.Load(ctx, parse.GetValue(files)) is not { } loaded)
            {
                return ExitCodes.BadInput;
            }

            var statePath = parse.GetValue(state)!;
            var options = new LabOptions
            {
                Nodes = parse.GetValue(nodes),
                ExtraPorts = extra,
                Replace = parse.GetValue(replace),
                ServerCommand = ServeCommand(statePath),
            };
            return Guard(ctx, () =>
            {
                var clock = Stopwatch.StartNew();
                var up = new LocalLab(statePath).Up(loaded.Cluster, options);
                var elapsed = clock.Elapsed;
                WriteSkipped(ctx.Error, up, ctx.Verbose);
                if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
                {
                    WriteState(ctx, up, serverRunning: up.ServerPid is not null, elapsed);
                }
                else
                {
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"lab up: {up.Pods.Length} pods on {up.Nodes.Length} nodes in {elapsed.TotalSeconds:0.00} s; server pid {up.ServerPid}; {up.Skipped.Length} skipped. State: {statePath}"));
                }

                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var state = StateOption();
        var output = CommonOptions.Output("table", "json");
        var command = new Command("status", """
            Show the lab: its nodes, its pods (workload, node, addresses, host-side interface, served ports), whether
            the server is running, and what was skipped.

            Examples:
              palisade lab status
              palisade lab status -o json
            """)
        {
            state, output,
        };
        command.SetAction(parse => Guard(context, () =>
        {
            KernelCheck.Require("palisade lab down", KernelNeeds.Root | KernelNeeds.Ip);
            var json = CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json;
            var lab = new LocalLab(parse.GetValue(state)!);
            if (lab.Status() is not { } up)
            {
                var left = LocalLab.ExistingNamespaces();
                if (json)
                {
                    JsonOutput.Write(context, w =>
                    {
                        w.WriteStartObject();
                        w.WriteBoolean("up", false);
                        w.WriteNumber("strayNamespaces", left.Count);
                        w.WriteEndObject();
                    });
                }
                else
                {
                    context.Out.WriteLine(left.Count == 0 ? "no lab is up" : $"no lab is up, but {left.Count} lab namespaces are left over; 'palisade lab down' removes them");
                }

                return ExitCodes.Ok;
            }

            var running = LocalLab.ServerRunning(up);
            if (json)
            {
                WriteState(context, up, running, elapsed: null);
                return ExitCodes.Ok;
            }

            var nodeTable = new TableWriter("Node", "Namespace", "Address", "Pods");
            foreach (var node in up.Nodes)
            {
                nodeTable.Add(node.Name, node.Netns, node.Address, up.Pods.Count(p => p.Node == node.Name).ToString(CultureInfo.InvariantCulture));
            }

            nodeTable.Write(context);
            context.Out.WriteLine();
            var podTable = new TableWriter("Pod", "Node", "IPs", "Interface", "Ports");
            foreach (var pod in up.Pods)
            {
                podTable.Add(pod.WorkloadId, pod.Node, string.Join(", ", pod.Ips), pod.Interface, string.Join(", ", pod.Ports));
            }

            podTable.Write(context);
            context.Out.WriteLine();
            context.Out.WriteLine(up.ServerPid is null ? "server: none started" : running ? $"server: running (pid {up.ServerPid})" : $"server: NOT running (pid {up.ServerPid} is gone)");
            WriteSkipped(context.Out, up, verbose: true);

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Down(CliContext context)
    {
        var state = StateOption();
        var command = new Command("down", """
            Take the lab down: end its server, delete every namespace it makes (pal-node-*, pal-p-*, pal-fabric — those in
            the state file and any others found, so it also cleans up after a crash or a lost state file) and remove
            the state file. Safe to run again; exits 0 when there is nothing to remove.

            Examples:
              sudo palisade lab down
            """)
        {
            state,
        };
        command.SetAction(parse => Guard(context, () =>
        {
            var clock = Stopwatch.StartNew();
            var down = new LocalLab(parse.GetValue(state)!).Down();
            if (down.NothingToDo)
            {
                context.Out.WriteLine("lab down: nothing to remove");
            }
            else
            {
                var server = down.KilledServers.IsEmpty ? string.Empty : $"ended server {string.Join(", ", down.KilledServers)}; ";
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"lab down: {server}removed {down.Namespaces.Length} namespaces{(down.StateRemoved ? " and the state file" : string.Empty)} in {clock.Elapsed.TotalSeconds:0.00} s"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Probe(CliContext context)
    {
        var from = new Option<string?>("--from") { Description = "The source pod, NAMESPACE/NAME (default: every pod).", HelpName = "NS/NAME" };
        var to = new Option<string?>("--to") { Description = "The destination: a pod as NAMESPACE/NAME, or an IP address (default: every other pod).", HelpName = "NS/NAME|IP" };
        var ports = CommonOptions.Ports();
        ports.Description = "The port to probe, as PORT or PORT/PROTOCOL, e.g. 80/TCP. Repeatable (default: the ports the destination serves).";
        var timeout = new Option<int>("--timeout") { Description = "Milliseconds to wait for each answer.", DefaultValueFactory = _ => 1000, HelpName = "MS" };
        var concurrency = new Option<int>("--concurrency") { Description = "Probes in flight at once.", DefaultValueFactory = _ => 32 };
        var state = StateOption();
        var output = CommonOptions.Output("table", "json");
        var command = new Command("probe", """
            Send real traffic from lab pods: a TCP (or SCTP) connection, or a UDP datagram awaiting its reply, from the
            source pod's namespace. Each probe is 'connected' (a server answered; the reply names it), 'refused' (the
            destination was reached but nothing listens, or a reject rule), 'timeout' (no answer: dropped), or
            'unreachable'. Exit code 0 when every probe connected, 1 otherwise.

            Examples:
              sudo palisade lab probe --from x/a --to y/b --port 80/TCP
              sudo palisade lab probe --from x/a --to 10.0.2.2 --port 81/UDP --timeout 500
              sudo palisade lab probe --port 80/TCP --port 80/UDP -o json
            """)
        {
            from, to, ports, timeout, concurrency, state, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            KernelCheck.Require("palisade lab probe", KernelNeeds.Root);
            var portList = CommonOptions.ParsePorts(parse.GetValue(ports));
            var statePath = parse.GetValue(state)!;
            LabState up;
            try
            {
                up = LabState.Read(statePath) ?? throw new UsageException($"no lab is up (no {statePath}); run 'palisade lab up -f PATH' first");
            }
            catch (InvalidDataException e)
            {
                throw new UsageException(e.Message);
            }

            var requests = Requests(up, parse.GetValue(from), parse.GetValue(to), portList);
            if (parse.GetValue(timeout) < 1 || parse.GetValue(concurrency) < 1)
            {
                throw new UsageException("--timeout and --concurrency must be at least 1");
            }

            var prober = new LabProber(up, new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(parse.GetValue(timeout)), Concurrency = parse.GetValue(concurrency) });
            var results = await prober.ProbeAsync(requests, cancellationToken).ConfigureAwait(false);
            var owners = up.Pods.SelectMany(p => p.Ips.Select(ip => (ip, p.WorkloadId))).ToDictionary(x => x.ip, x => x.WorkloadId);
            if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
            {
                JsonOutput.Write(context, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("probes");
                    foreach (var r in results)
                    {
                        w.WriteStartObject();
                        w.WriteString("from", r.Request.From);
                        w.WriteString("to", owners.GetValueOrDefault(r.Request.To, r.Request.To.ToString()));
                        w.WriteString("ip", r.Request.To.ToString());
                        w.WriteString("port", r.Request.Port.ToString());
                        w.WriteString("outcome", Name(r.Outcome));
                        w.WriteNumber("ms", Math.Round(r.Elapsed.TotalMilliseconds, 2));
                        if (r.Reply is not null)
                        {
                            w.WriteString("reply", r.Reply);
                        }

                        if (r.Error is not null)
                        {
                            w.WriteString("error", r.Error);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteNumber("connected", results.Count(r => r.Connected));
                    w.WriteNumber("total", results.Length);
                    w.WriteEndObject();
                });
            }
            else
            {
                var table = new TableWriter("From", "To", "Port", "Outcome", "Time", "Reply");
                foreach (var r in results)
                {
                    var target = owners.TryGetValue(r.Request.To, out var owner) ? $"{owner} ({r.Request.To})" : r.Request.To.ToString();
                    table.Add(
                        (r.Request.From, CellStyle.Plain),
                        (target, CellStyle.Plain),
                        (r.Request.Port.ToString(), CellStyle.Plain),
                        (Name(r.Outcome), r.Connected ? CellStyle.Good : CellStyle.Bad),
                        (string.Create(CultureInfo.InvariantCulture, $"{r.Elapsed.TotalMilliseconds:0.0} ms"), CellStyle.Dim),
                        (r.Reply ?? r.Error ?? string.Empty, CellStyle.Dim));
                }

                table.Write(context);
                context.Out.WriteLine($"{results.Length} probes: {results.Count(r => r.Connected)} connected, {results.Count(r => !r.Connected)} not.");
            }

            return results.All(r => r.Connected) ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return command;
    }

    private static Command Serve(CliContext context)
    {
        var state = StateOption();
        var command = new Command("serve", "Internal: the lab's server process, started by 'lab up'. Opens every pod's sockets, then answers until stopped.")
        {
            state,
        };
        command.Hidden = true;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var statePath = parse.GetValue(state)!;
            var up = LabState.Read(statePath) ?? throw new UsageException($"no lab state at {statePath}");
            await using var server = LabServer.Start(up, context.Error);
            await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(statePath))!, "server.ready"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            await context.Error.WriteLineAsync($"lab server {Environment.ProcessId}: {server.SocketCount} sockets in {up.Pods.Length} pods").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The probes a command asks for: from one pod or all, to one destination or every other pod, on the given ports or the destination's own.</summary>
    private static List<ProbeRequest> Requests(LabState up, string? from, string? to, List<PortSpec> ports)
    {
        LabPod Pod(string id, string option) => up.FindPod(id)
            ?? throw new UsageException($"{option} {id}: not a lab pod (lab pods: {string.Join(", ", up.Pods.Take(8).Select(p => p.WorkloadId))}{(up.Pods.Length > 8 ? ", ..." : string.Empty)})");

        var sources = from is null ? [.. up.Pods] : new List<LabPod> { Pod(from, "--from") };
        var requests = new List<ProbeRequest>();
        foreach (var source in sources)
        {
            IEnumerable<(IPAddress Ip, IEnumerable<PortSpec> Ports)> targets;
            if (to is null)
            {
                targets = up.Pods.Where(p => p.WorkloadId != source.WorkloadId).Select(p => (p.Ips[0], ports.Count > 0 ? ports : (IEnumerable<PortSpec>)p.Ports));
            }
            else if (IPAddress.TryParse(to, out var ip))
            {
                var owner = up.Pods.FirstOrDefault(p => p.Ips.Contains(ip));
                if (ports.Count == 0 && owner is null)
                {
                    throw new UsageException($"--to {to} is not a lab pod's address: give --port");
                }

                targets = [(ip, ports.Count > 0 ? ports : owner!.Ports)];
            }
            else
            {
                var pod = Pod(to, "--to");
                targets = [(pod.Ips[0], ports.Count > 0 ? ports : pod.Ports)];
            }

            requests.AddRange(targets.SelectMany(t => t.Ports.Select(p => new ProbeRequest(source.WorkloadId, t.Ip, p))));
        }

        return requests;
    }

    private static void WriteState(CliContext context, LabState up, bool serverRunning, TimeSpan? elapsed) => JsonOutput.Write(context, w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("up", true);
        if (elapsed is { } e)
        {
            w.WriteNumber("seconds", Math.Round(e.TotalSeconds, 3));
        }

        w.WriteBoolean("serverRunning", serverRunning);
        w.WritePropertyName("state");
        using (var doc = JsonDocument.Parse(up.ToJson()))
        {
            doc.RootElement.WriteTo(w);
        }

        w.WriteEndObject();
    });

    /// <summary>What the lab left out, one line per reason (every subject when verbose, else the first few).</summary>
    private static void WriteSkipped(TextWriter writer, LabState up, bool verbose)
    {
        foreach (var group in up.Skipped.GroupBy(s => s.Reason, StringComparer.Ordinal))
        {
            var subjects = group.Select(s => s.Subject).ToList();
            var shown = verbose || subjects.Count <= 3 ? subjects : [.. subjects.Take(3), $"... {subjects.Count - 3} more (-v lists them)"];
            writer.WriteLine($"skipped {subjects.Count}, {group.Key}: {string.Join("; ", shown)}");
        }
    }

    internal static string Name(ProbeOutcome outcome) => outcome.ToString().ToLowerInvariant();

    /// <summary>Runs a lab operation, printing a lab's user-actionable failure as an error (exit 2).</summary>
    private static int Guard(CliContext context, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (LabException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>This same program's <c>lab serve</c> command line.</summary>
    private static List<string> ServeCommand(string statePath) => SelfCommand.Line("lab", "serve", "--state", Path.GetFullPath(statePath));
}
