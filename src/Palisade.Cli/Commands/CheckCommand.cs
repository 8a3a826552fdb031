using System.CommandLine;
using Palisade.Cli.Output;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Explain;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade check</c>: one flow, judged with the path of evaluation for both directions.</summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var files = CommonOptions.Files();
        var kubeconfig = CommonOptions.Kubeconfig();
        var kubeContext = CommonOptions.Context();
        var from = new Option<string>("--from") { Description = "The source: NAMESPACE/NAME of a workload, or an IP address.", Required = true, HelpName = "NS/NAME|IP" };
        var to = new Option<string>("--to") { Description = "The destination: NAMESPACE/NAME of a workload, or an IP address.", Required = true, HelpName = "NS/NAME|IP" };
        var port = new Option<string>("--port", "-p") { Description = "The destination port, as PORT or PORT/PROTOCOL (default TCP), e.g. 443/TCP.", Required = true, HelpName = "PORT/PROTO" };
        var output = CommonOptions.Output("table", "json");
        var verbose = CommonOptions.Verbose();
        var hostNetwork = CommonOptions.HostNetwork();
        var command = new Command("check", """
            Judge one flow and explain it: the source's egress and the destination's ingress must both allow it.
            For each direction, shows every tier and policy that applies and the rule that decided (or why the
            flow fell to a default). Exits 0 when allowed, 1 when denied.

            Examples:
              palisade check -f examples/shop --from shop-web/frontend --to shop-api/gateway --port 8080/TCP
              palisade check -f cluster.yaml -f policies.yaml --from x/a --to 10.0.1.2 --port 80 -o json
            """)
        {
            files, kubeconfig, kubeContext, from, to, port, output, verbose, hostNetwork,
        };
        command.SetAction(parse =>
        {
            var ctx = context with { Verbose = parse.GetValue(verbose) };
            if (!PortSpec.TryParse(parse.GetValue(port), out var spec, out var portError))
            {
                throw new UsageException($"--port {portError}");
            }

            if (ManifestInput.Load(ctx, parse.GetValue(files), server: ManifestInput.ReadServer(ctx, parse.GetValue(kubeconfig), parse.GetValue(kubeContext)), hostNetworkPods: CommonOptions.ParseHostNetwork(parse.GetValue(hostNetwork))) is not { } loaded)
            {
                return ExitCodes.BadInput;
            }

            var source = WorkloadRef.Resolve(loaded.Cluster, parse.GetValue(from)!, "--from");
            var destination = WorkloadRef.Resolve(loaded.Cluster, parse.GetValue(to)!, "--to");
            var flow = new Flow(source, destination, spec.Protocol, spec.Port);
            var explainer = new FlowExplainer(loaded.Cluster, loaded.Policies);
            var verdict = explainer.Explain(flow);
            if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
            {
                JsonOutput.Write(ctx, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("from", source.ToString());
                    w.WriteString("to", destination.ToString());
                    w.WriteNumber("port", spec.Port);
                    w.WriteString("protocol", spec.Protocol.ToString());
                    w.WriteBoolean("allowed", verdict.Allowed);
                    JsonOutput.WriteDirection(w, "egress", verdict.Egress, source.ToString(), withSteps: true);
                    JsonOutput.WriteDirection(w, "ingress", verdict.Ingress, destination.ToString(), withSteps: true);
                    w.WriteEndObject();
                });
            }
            else
            {
                WriteText(ctx, verdict, explainer);
            }

            return verdict.Allowed ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return command;
    }

    private static void WriteText(CliContext context, FlowVerdict verdict, FlowExplainer explainer)
    {
        var flow = verdict.Flow;
        var word = verdict.Allowed ? "ALLOWED" : "DENIED";
        context.Out.WriteLine($"{flow.Source} -> {flow.Destination} on {new PortSpec(flow.Port, flow.Protocol)}: {word}");
        WriteDirection(context, verdict.Egress, flow.Source.ToString(), flow, explainer);
        WriteDirection(context, verdict.Ingress, flow.Destination.ToString(), flow, explainer);
    }

    private static void WriteDirection(CliContext context, DirectionVerdict v, string workload, Flow flow, FlowExplainer explainer)
    {
        context.Out.WriteLine($"  {v.Explain(workload)}");
        foreach (var s in v.Steps)
        {
            var line = s.Kind switch
            {
                StepKind.PolicyApplies => $"tier {s.Tier.Name}: {s.Policy!.Source.DisplayName} applies{Location(s.Policy.Source)}",
                StepKind.Logged => $"tier {s.Tier.Name}: {s.Rule!.Origin} matched: Log, evaluation continues",
                StepKind.Passed => $"tier {s.Tier.Name}: {s.Rule!.Origin} matched: Pass to the next tier",
                StepKind.Decided when s.Rule is not null => $"tier {s.Tier.Name}: {s.Rule.Origin} matched: {s.Rule.Action}",
                StepKind.Decided => $"tier {s.Tier.Name}: no rule matched: the tier ends in {s.Tier.EndAction}",
                StepKind.TierPassed => $"tier {s.Tier.Name}: no rule matched: the tier passes to the next one",
                _ => s.Kind.ToString(),
            };
            context.Out.WriteLine($"    - {line}");
        }

        if (v.Reason == VerdictReason.TierEndDenied)
        {
            // Why each rule of the policies that isolated the workload did not allow this flow.
            context.Out.WriteLine("    no rule matched:");
            foreach (var policy in v.Steps.Where(s => s.Kind == StepKind.PolicyApplies && s.Tier == v.Tier).Select(s => s.Policy!))
            {
                var rules = policy.Rules(v.Direction);
                if (rules.IsEmpty)
                {
                    context.Out.WriteLine($"      {policy.Source.DisplayName}: has no {JsonOutput.DirectionName(v.Direction)} rules (it only isolates)");
                }

                foreach (var rule in rules)
                {
                    context.Out.WriteLine($"      {policy.Source.DisplayName} {rule.Origin.Path}: {explainer.WhyNot(rule, flow) ?? "matches, but its action did not decide"}");
                }
            }
        }

        foreach (var staged in v.Staged)
        {
            context.Out.WriteLine($"    - tier {staged.Tier.Name}: {staged}");
        }

        if (v.IfStagedEnforced is { } ifStaged && (ifStaged.Allowed != v.Allowed || ifStaged.Rule != v.Rule || v.Staged.Length > 0))
        {
            context.Out.WriteLine($"    staged policies enforced: {ifStaged.Explain(workload)}");
        }
    }

    private static string Location(SourceRef source) => source.Location is { } l ? $" ({l})" : string.Empty;
}
