using System.CommandLine;
using Palisade.Cli.Output;
using Palisade.Engine.Analysis;
using Palisade.Engine.Evaluation;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade diff</c>: what connectivity a change opens or closes, grouped by personalities.</summary>
internal static class DiffCommand
{
    public static Command Create(CliContext context)
    {
        var files = CommonOptions.Files();
        files.Description = "The manifests as they are now (cluster and current policies). Repeatable.";
        var against = new Option<string[]>("--against")
        {
            Description = "The manifests with the change applied (cluster and proposed policies). Repeatable.",
            Required = true,
            HelpName = "PATH",
            Arity = ArgumentArity.OneOrMore,
        };
        var ports = CommonOptions.Ports();
        var output = CommonOptions.Output("table", "json");
        var verbose = CommonOptions.Verbose();
        var command = new Command("diff", """
            Show the connectivity that changes between two policy sets: what the change opens and what it closes.
            Changes are grouped by personality (namespace and label set) instead of listed pair by pair, each with the
            rule that decides before and after. Exits 0 when nothing changes, 1 when something does.

            Examples:
              palisade diff -f cluster/ -f policies/ --against cluster/ --against policies-new/
              palisade diff -f examples/shop --against examples/shop-next -o json
            """)
        {
            files, against, ports, output, verbose,
        };
        command.SetAction(parse =>
        {
            var ctx = context with { Verbose = parse.GetValue(verbose) };
            var portList = CommonOptions.ParsePorts(parse.GetValue(ports));
            var before = ManifestInput.Load(ctx, parse.GetValue(files));
            var after = ManifestInput.Load(ctx, parse.GetValue(against));
            if (before is null || after is null)
            {
                return ExitCodes.BadInput;
            }

            var changes = ConnectivityDiff.Compare(before.Cluster, before.Policies, after.Cluster, after.Policies, portList);
            var opened = changes.Where(c => c.AllowedAfter).Sum(c => c.Pairs.Length);
            var closed = changes.Where(c => !c.AllowedAfter).Sum(c => c.Pairs.Length);
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
                        w.WriteNumber("pairs", c.Pairs.Length);
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
                        (c.Pairs.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), CellStyle.Plain),
                        ($"{Decider(c.Before)} -> {Decider(c.After)}", CellStyle.Dim));
                }

                table.Write(ctx);
                ctx.Out.WriteLine(changes.IsEmpty
                    ? "No connectivity changes."
                    : $"{changes.Length} group{(changes.Length == 1 ? string.Empty : "s")} of changes: {opened} pair-port{(opened == 1 ? string.Empty : "s")} opened, {closed} closed.");
            }

            return changes.IsEmpty ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return command;
    }

    private static string Describe(Personality p) =>
        $"{p.Labels} in {p.Namespace} ({(p.Workloads.Length == 1 ? p.Workloads[0] : $"{p.Workloads.Length} workloads")})";

    private static void WritePersonality(System.Text.Json.Utf8JsonWriter w, string property, Personality p)
    {
        w.WriteStartObject(property);
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

    private static string Decider(FlowVerdict? v)
    {
        if (v is null)
        {
            return "absent";
        }

        var decisive = !v.Egress.Allowed ? v.Egress : !v.Ingress.Allowed ? v.Ingress : v.Ingress.Rule is not null ? v.Ingress : v.Egress;
        var dir = JsonOutput.DirectionName(decisive.Direction);
        return decisive.Reason switch
        {
            VerdictReason.RuleAllowed or VerdictReason.RuleDenied => $"{dir} {decisive.Rule!.Origin}",
            VerdictReason.TierEndDenied => $"{dir} end of tier {decisive.Tier!.Name}",
            VerdictReason.NoPolicyApplies => "not isolated",
            _ => $"{dir} {JsonOutput.ReasonName(decisive.Reason)}",
        };
    }
}
