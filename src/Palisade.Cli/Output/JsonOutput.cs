using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Palisade.Engine.Evaluation;
using Palisade.Model.Policies;

namespace Palisade.Cli.Output;

/// <summary>Writes JSON documents for machines (CI pipelines, the conformance runner), indented and stable.</summary>
internal static class JsonOutput
{
    public static void Write(CliContext context, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            body(writer);
        }

        context.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>One direction's decision: allowed, the reason, and the deciding tier, policy and rule.</summary>
    public static void WriteDirection(Utf8JsonWriter w, string property, DirectionVerdict v, string workload, bool withSteps)
    {
        w.WriteStartObject(property);
        w.WriteBoolean("allowed", v.Allowed);
        w.WriteString("reason", ReasonName(v.Reason));
        if (v.Tier is not null)
        {
            w.WriteString("tier", v.Tier.Name);
        }

        if (v.Policy is not null)
        {
            w.WriteString("policy", v.Policy.Source.DisplayName);
        }

        if (v.Rule is not null)
        {
            w.WriteString("rule", v.Rule.Origin.Path);
            if (v.Rule.Origin.Name is not null)
            {
                w.WriteString("ruleName", v.Rule.Origin.Name);
            }
        }

        if (v.Reason == VerdictReason.TierEndDenied)
        {
            w.WriteStartArray("policies");
            foreach (var s in v.Steps.Where(s => s.Kind == StepKind.PolicyApplies && s.Tier == v.Tier))
            {
                w.WriteStringValue(s.Policy!.Source.DisplayName);
            }

            w.WriteEndArray();
        }

        w.WriteString("explanation", v.Explain(workload));
        if (!v.Staged.IsEmpty)
        {
            w.WriteStartArray("staged");
            foreach (var s in v.Staged)
            {
                w.WriteStartObject();
                w.WriteString("tier", s.Tier.Name);
                w.WriteString("policy", s.Policy.Source.DisplayName);
                if (s.Rule is not null)
                {
                    w.WriteString("rule", s.Rule.Origin.Path);
                    w.WriteString("action", s.Rule.Action.ToString());
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (v.IfStagedEnforced is { } ifStaged)
        {
            WriteDirection(w, "ifStagedEnforced", ifStaged, workload, withSteps: false);
        }

        if (withSteps)
        {
            w.WriteStartArray("steps");
            foreach (var s in v.Steps)
            {
                w.WriteStartObject();
                w.WriteString("step", StepName(s.Kind));
                w.WriteString("tier", s.Tier.Name);
                if (s.Policy is not null)
                {
                    w.WriteString("policy", s.Policy.Source.DisplayName);
                }

                if (s.Rule is not null)
                {
                    w.WriteString("rule", s.Rule.Origin.Path);
                    w.WriteString("action", s.Rule.Action.ToString());
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    public static string ReasonName(VerdictReason reason) => reason switch
    {
        VerdictReason.NotAWorkload => "not-a-workload",
        VerdictReason.HostNetwork => "host-network",
        VerdictReason.NoPolicyApplies => "no-policy-applies",
        VerdictReason.RuleAllowed => "rule-allowed",
        VerdictReason.RuleDenied => "rule-denied",
        VerdictReason.TierEndDenied => "tier-end-denied",
        VerdictReason.PassedAllTiers => "passed-all-tiers",
        _ => reason.ToString(),
    };

    public static string StepName(StepKind kind) => kind switch
    {
        StepKind.PolicyApplies => "policy-applies",
        StepKind.Logged => "logged",
        StepKind.Passed => "passed",
        StepKind.Decided => "decided",
        StepKind.TierPassed => "tier-passed",
        _ => kind.ToString(),
    };

    public static string DirectionName(Direction d) => d == Direction.Ingress ? "ingress" : "egress";
}
