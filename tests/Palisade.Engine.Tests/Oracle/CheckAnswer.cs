using System.Text;
using Palisade.Engine.Evaluation;
using Palisade.Model.Policies;

namespace Palisade.Engine.Tests.Oracle;

/// <summary>
/// Everything <c>palisade check</c> says about a flow, as one text: per direction the verdict, its reason, tier, policy
/// and rule, the sentence, every step, each staged policy's outcome, the verdict with staged policies enforced, and —
/// when a tier ended in deny — why each rule of the policies that isolated the workload did not match.
/// </summary>
internal static class CheckAnswer
{
    public static string Describe(FlowVerdict verdict, Func<Rule, Flow, string?> whyNot)
    {
        var text = new StringBuilder();
        text.Append($"{verdict.Flow}: {(verdict.Allowed ? "ALLOWED" : "DENIED")}\n");
        foreach (var (v, workload) in new[] { (verdict.Egress, verdict.Flow.Source.ToString()), (verdict.Ingress, verdict.Flow.Destination.ToString()) })
        {
            Direction(text, v, workload);
            if (v.Reason == VerdictReason.TierEndDenied)
            {
                foreach (var policy in v.Steps.Where(s => s.Kind == StepKind.PolicyApplies && s.Tier == v.Tier).Select(s => s.Policy!))
                {
                    foreach (var rule in policy.Rules(v.Direction))
                    {
                        text.Append($"    {policy.Source.DisplayName} {rule.Origin.Path}: {whyNot(rule, verdict.Flow) ?? "matches"}\n");
                    }
                }
            }

            foreach (var s in v.Staged)
            {
                text.Append($"    staged: tier {s.Tier.Name}: {s} [{s.Rule?.Action}]\n");
            }

            if (v.IfStagedEnforced is { } ifStaged)
            {
                text.Append("    if staged enforced:\n");
                Direction(text, ifStaged, workload);
            }
        }

        return text.ToString();
    }

    private static void Direction(StringBuilder text, DirectionVerdict v, string workload)
    {
        text.Append($"  {v.Explain(workload)} [{v.Allowed} {v.Reason} tier={v.Tier?.Name} policy={v.Policy?.Source.DisplayName} rule={v.Rule?.Origin}]\n");
        foreach (var s in v.Steps)
        {
            text.Append($"    - {s.Kind} tier {s.Tier.Name} ({s.Tier.EndAction}) {s.Policy?.Source.DisplayName} {s.Rule?.Origin} {s.Rule?.Action}\n");
        }
    }
}
