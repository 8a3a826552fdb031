using System.CommandLine;
using System.Text;
using Palisade.Cli.Output;
using Palisade.Engine.Analysis;
using Palisade.Engine.Evaluation;
using Palisade.Model;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade connectivity</c>: every ordered pair of distinct workloads on each port, allowed or not.</summary>
internal static class ConnectivityCommand
{
    public static Command Create(CliContext context)
    {
        var files = CommonOptions.Files();
        var kubeconfig = CommonOptions.Kubeconfig();
        var kubeContext = CommonOptions.Context();
        var ports = CommonOptions.Ports();
        var output = CommonOptions.Output("table", "json", "matrix", "classes");
        var verbose = CommonOptions.Verbose();
        var hostNetwork = CommonOptions.HostNetwork();
        var command = new Command("connectivity", """
            Judge every ordered pair of distinct workloads on each port: allowed or denied, and which rule decided.
            Without --port, each destination is judged on the ports its containers declare. With -o classes, workloads
            that every policy treats alike are grouped into classes and reachability is given between classes — the
            answer for clusters too large to list pair by pair.

            Examples:
              palisade connectivity -f examples/shop
              palisade connectivity -f cluster.yaml -f policies.yaml --port 80/TCP --port 81/UDP -o json
              palisade connectivity -f examples/shop --port 8080 -o matrix
              palisade connectivity -f big-cluster/ -o classes
            """)
        {
            files, kubeconfig, kubeContext, ports, output, verbose, hostNetwork,
        };
        command.SetAction(parse =>
        {
            var ctx = context with { Verbose = parse.GetValue(verbose) };
            var portList = CommonOptions.ParsePorts(parse.GetValue(ports));
            if (ManifestInput.Load(ctx, parse.GetValue(files), server: ManifestInput.ReadServer(ctx, parse.GetValue(kubeconfig), parse.GetValue(kubeContext)), hostNetworkPods: CommonOptions.ParseHostNetwork(parse.GetValue(hostNetwork))) is not { } loaded)
            {
                return ExitCodes.BadInput;
            }

            if (parse.GetValue(output) == "classes")
            {
                var engine = Engine.Calculation.CalculationEngine.Build(loaded.Cluster, loaded.Policies);
                WriteClasses(ctx, engine.Classes(portList));
                return ExitCodes.Ok;
            }

            var report = ConnectivityAnalyzer.Analyze(loaded.Cluster, loaded.Policies, portList);
            switch (CommonOptions.ParseFormat(parse.GetValue(output)!))
            {
                case OutputFormat.Json:
                    WriteJson(ctx, report);
                    break;
                case OutputFormat.Matrix:
                    WriteMatrix(ctx, report);
                    break;
                default:
                    WriteTable(ctx, report);
                    break;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteClasses(CliContext context, Engine.Calculation.ClassReport report) => JsonOutput.Write(context, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("classes");
        foreach (var c in report.Classes)
        {
            w.WriteStartObject();
            w.WriteNumber("id", c.Id);
            w.WriteString("namespace", c.Namespace);
            w.WriteStartObject("labels");
            foreach (var (k, v) in c.Labels)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
            w.WriteString("serviceAccount", c.ServiceAccount);
            if (c.HostNetwork)
            {
                w.WriteBoolean("hostNetwork", true);
            }

            w.WriteStartArray("ports");
            foreach (var p in c.Ports)
            {
                w.WriteStringValue(p.ToString());
            }

            w.WriteEndArray();
            w.WriteNumber("size", c.Members.Length);
            w.WriteStartArray("members");
            foreach (var m in c.Members)
            {
                w.WriteStringValue(m);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("reach");
        foreach (var r in report.Reach)
        {
            w.WriteStartObject();
            w.WriteNumber("from", r.From);
            w.WriteString("port", r.Port.ToString());
            w.WriteStartArray("to");
            foreach (var t in r.To)
            {
                w.WriteNumberValue(t);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("summary");
        w.WriteNumber("workloads", report.Classes.Sum(c => c.Members.Length));
        w.WriteNumber("classes", report.Classes.Length);
        w.WriteNumber("allowedPairs", report.AllowedPairs);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void WriteJson(CliContext context, ConnectivityReport report) => JsonOutput.Write(context, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("connections");
        foreach (var c in report.Connections)
        {
            w.WriteStartObject();
            w.WriteString("from", c.From.Id);
            w.WriteString("to", c.To.Id);
            w.WriteNumber("port", c.Port.Port);
            w.WriteString("protocol", c.Port.Protocol.ToString());
            w.WriteBoolean("allowed", c.Allowed);
            JsonOutput.WriteDirection(w, "egress", c.Verdict.Egress, c.From.Id, withSteps: false);
            JsonOutput.WriteDirection(w, "ingress", c.Verdict.Ingress, c.To.Id, withSteps: false);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteTable(CliContext context, ConnectivityReport report)
    {
        var table = new TableWriter("From", "To", "Port", "Verdict", "Decided by");
        foreach (var c in report.Connections)
        {
            var decisive = !c.Verdict.Egress.Allowed ? c.Verdict.Egress : c.Verdict.Ingress;
            table.Add(
                (c.From.Id, CellStyle.Plain),
                (c.To.Id, CellStyle.Plain),
                (c.Port.ToString(), CellStyle.Plain),
                (c.Allowed ? "allowed" : "denied", c.Allowed ? CellStyle.Good : CellStyle.Bad),
                (Summary(decisive, c.Allowed ? c.Verdict.Egress : null), CellStyle.Dim));
        }

        table.Write(context);
        var allowed = report.Connections.Count(c => c.Allowed);
        context.Out.WriteLine($"{report.Connections.Length} connections: {allowed} allowed, {report.Connections.Length - allowed} denied.");
    }

    /// <summary>The deciding rule in a few words: the denying direction, or both allowing directions.</summary>
    private static string Summary(DirectionVerdict decisive, DirectionVerdict? otherAllowed)
    {
        static string One(DirectionVerdict v) => v.Reason switch
        {
            VerdictReason.RuleAllowed or VerdictReason.RuleDenied => $"{JsonOutput.DirectionName(v.Direction)}: {v.Policy!.Source.DisplayName} {v.Rule!.Origin.Path}",
            VerdictReason.TierEndDenied => $"{JsonOutput.DirectionName(v.Direction)}: isolated in tier {v.Tier!.Name}, no rule allows",
            VerdictReason.NoPolicyApplies => $"{JsonOutput.DirectionName(v.Direction)}: not isolated",
            _ => $"{JsonOutput.DirectionName(v.Direction)}: {JsonOutput.ReasonName(v.Reason)}",
        };

        return otherAllowed is null ? One(decisive) : $"{One(otherAllowed)}; {One(decisive)}";
    }

    /// <summary>A truth table per port like the upstream e2e tests print: '.' allowed, 'X' denied, '-' self.</summary>
    private static void WriteMatrix(CliContext context, ConnectivityReport report)
    {
        var ids = report.Workloads.Select(w => w.Id).ToList();
        var index = report.Connections.ToLookup(c => (c.From.Id, c.To.Id, c.Port));
        var width = Math.Max(4, ids.Count == 0 ? 0 : ids.Max(i => i.Length));
        var sb = new StringBuilder();
        foreach (var port in report.Ports)
        {
            sb.Append(port).Append('\n');
            sb.Append("-".PadRight(width + 1));
            sb.Append(string.Join('\t', ids)).Append('\n');
            foreach (var from in ids)
            {
                sb.Append(from.PadRight(width + 1));
                var cells = ids.Select(to =>
                {
                    if (from == to)
                    {
                        return "-";
                    }

                    var c = index[(from, to, port)].FirstOrDefault();
                    return c is null ? " " : c.Allowed ? "." : "X";
                });
                sb.Append(string.Join('\t', cells)).Append('\n');
            }

            sb.Append('\n');
        }

        context.Out.Write(sb.ToString());
    }
}
