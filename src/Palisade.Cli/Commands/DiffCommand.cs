using System.CommandLine;
using Palisade.Cli.Output;
using Palisade.Engine.Analysis;
using Palisade.Engine.Evaluation;
using Palisade.Manifests;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade diff</c>: what connectivity a change opens or closes, grouped by personalities.</summary>
internal static class DiffCommand
{
    public static Command Create(CliContext context)
    {
        var files = CommonOptions.Files();
        files.Description = "The manifests as they are now (cluster and current policies). Repeatable. With --kubeconfig: the change, laid over the live objects.";
        var kubeconfig = CommonOptions.Kubeconfig();
        kubeconfig.Description = "Compare against a live API server: the current side is the server's objects, the proposed side those objects with the -f files applied over them (an object in the files replaces the live one of the same kind, namespace and name).";
        var kubeContext = CommonOptions.Context();
        var against = new Option<string[]>("--against")
        {
            Description = "The manifests with the change applied (cluster and proposed policies). Repeatable. Not with --kubeconfig.",
            HelpName = "PATH",
            Arity = ArgumentArity.OneOrMore,
        };
        var ports = CommonOptions.Ports();
        var output = CommonOptions.Output("table", "json");
        var verbose = CommonOptions.Verbose();
        var hostNetwork = CommonOptions.HostNetwork();
        var command = new Command("diff", """
            Show the connectivity that changes between two policy sets: what the change opens and what it closes.
            Changes are grouped by personality (a namespace and the labels some policy reads) instead of listed pair by
            pair, each with the rules that decide before and after. Networks that rules or network sets name (ipBlock, nets, networks) are
            compared too, through one address inside each that no workload holds: from the network to every workload
            on its ports, and from every workload to the network on the ports the rules name (or --port). A workload
            with several replicas is also paired with itself. Exits 0 when nothing changes, 1 when something does.
            Both sides are complete inputs: give the cluster and every policy on each side.

            Examples:
              palisade diff -f cluster/ -f policies/ --against cluster/ --against policies-new/
              palisade diff -f examples/shop --against examples/shop --against examples/shop-next
              palisade diff -f examples/shop --against examples/shop --against examples/shop-next -o json
              palisade diff --kubeconfig data/admin.kubeconfig -f change/      # what the change does to the live cluster
            """)
        {
            files, kubeconfig, kubeContext, against, ports, output, verbose, hostNetwork,
        };
        command.SetAction(parse =>
        {
            var ctx = context with { Verbose = parse.GetValue(verbose) };
            var portList = CommonOptions.ParsePorts(parse.GetValue(ports));
            var hostNetworkPods = CommonOptions.ParseHostNetwork(parse.GetValue(hostNetwork));
            LoadResult? before, after;
            if (parse.GetValue(kubeconfig) is { } live)
            {
                if (parse.GetValue(against) is { Length: > 0 })
                {
                    throw new UsageException("--against and --kubeconfig do not go together: with --kubeconfig, -f gives the change and the server the current state");
                }

                if (parse.GetValue(files) is not { Length: > 0 })
                {
                    throw new UsageException("--kubeconfig needs -f CHANGE: the manifests to lay over the live objects");
                }

                var server = ManifestInput.ReadServer(ctx, live, parse.GetValue(kubeContext))!;
                before = ManifestInput.Load(ctx, [], side: $"current ({server.Server})", hostNetworkPods: hostNetworkPods, server: server);
                after = ManifestInput.Load(ctx, parse.GetValue(files), side: "proposed (live + -f)", hostNetworkPods: hostNetworkPods, server: server);
            }
            else
            {
                if (parse.GetValue(against) is not { Length: > 0 })
                {
                    throw new UsageException("--against PATH is required (the manifests with the change applied), or give --kubeconfig FILE to compare with a live server");
                }

                before = ManifestInput.Load(ctx, parse.GetValue(files), side: "current (-f)", hostNetworkPods: hostNetworkPods);
                after = ManifestInput.Load(ctx, parse.GetValue(against), side: "proposed (--against)", hostNetworkPods: hostNetworkPods);
            }

            if (before is null || after is null)
            {
                return ExitCodes.BadInput;
            }

            var changes = ConnectivityDiff.Compare(before.Cluster, before.Policies, after.Cluster, after.Policies, portList);
            var opened = changes.Where(c => c.AllowedAfter).Sum(c => c.PairCount);
            var closed = changes.Where(c => !c.AllowedAfter).Sum(c => c.PairCount);
            if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
            {
                JsonOutput.Write(ctx, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("changes");
                    foreach (var c in changes)
                    {
                        w.WriteStartObject();
                        w.WriteString("change", c.Kind);
                        WritePersonality(w, "from", c.From);
                        WritePersonality(w, "to", c.To);
                        w.WriteNumber("port", c.Port.Port);
                        w.WriteString("protocol", c.Port.Protocol.ToString());
                        w.WriteNumber("pairs", c.PairCount);
                        w.WriteString("before", Decider(c.Before));
                        w.WriteString("after", Decider(c.After));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartObject("summary");
                    w.WriteNumber("groups", changes.Length);
                    w.WriteNumber("opened", opened);
                    w.WriteNumber("closed", closed);
                    w.WriteEndObject();
                    w.WriteEndObject();
                });
            }
            else
            {
                var table = new TableWriter("Change", "From", "To", "Port", "Pairs", "Decided by (before -> after)");
                foreach (var c in changes)
                {
                    table.Add(
                        (c.Kind, c.AllowedAfter ? CellStyle.Good : CellStyle.Bad),
                        (Describe(c.From), CellStyle.Plain),
                        (Describe(c.To), CellStyle.Plain),
                        (c.Port.ToString(), CellStyle.Plain),
                        (c.PairCount.ToString(System.Globalization.CultureInfo.InvariantCulture), CellStyle.Plain),
                        ($"{Decider(c.Before)} -> {Decider(c.After)}", CellStyle.Dim));
                }

                if (!changes.IsEmpty)
                {
                    table.Write(ctx);
                }

                ctx.Out.WriteLine(changes.IsEmpty
                    ? "No connectivity changes."
                    : $"{changes.Length} group{(changes.Length == 1 ? string.Empty : "s")} of changes: {opened} pair-port{(opened == 1 ? string.Empty : "s")} opened, {closed} closed.");
            }

            return changes.IsEmpty ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return command;
    }

    private static string Describe(Personality p) => p.Network is { } network ? (network.Contains(',', StringComparison.Ordinal) ? $"networks {network}" : $"network {network}") :
        $"{p.Labels} in {p.Namespace} ({(p.Workloads.Length == 1 ? p.Workloads[0] : $"{p.Workloads.Length} workloads")})";

    private static void WritePersonality(System.Text.Json.Utf8JsonWriter w, string property, Personality p)
    {
        w.WriteStartObject(property);
        if (p.Network is not null)
        {
            w.WriteStartArray("networks");
            foreach (var n in p.Workloads)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            return;
        }

        w.WriteString("namespace", p.Namespace);
        w.WriteStartObject("labels");
        foreach (var (k, v) in p.Labels)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
        w.WriteStartArray("workloads");
        foreach (var id in p.Workloads)
        {
            w.WriteStringValue(id);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// The rules that decide a flow: for a denied flow each direction that denies it; for an allowed one each
    /// direction's allowing rule (a direction no policy isolates is left out).
    /// </summary>
    private static string Decider(FlowVerdict? v)
    {
        if (v is null)
        {
            return "absent";
        }

        var directions = v.Allowed ? [v.Egress, v.Ingress] : new[] { v.Egress, v.Ingress }.Where(d => !d.Allowed).ToArray();
        var parts = directions.Where(d => d.Reason is not (VerdictReason.NoPolicyApplies or VerdictReason.NotAWorkload)).Select(d =>
        {
            var dir = JsonOutput.DirectionName(d.Direction);
            return d.Reason switch
            {
                VerdictReason.RuleAllowed or VerdictReason.RuleDenied => $"{dir} {d.Rule!.Origin}",
                VerdictReason.TierEndDenied => $"{dir} end of tier {d.Tier!.Name}",
                _ => $"{dir} {JsonOutput.ReasonName(d.Reason)}",
            };
        }).ToList();
        return parts.Count == 0 ? "not isolated" : string.Join("; ", parts);
    }
}
