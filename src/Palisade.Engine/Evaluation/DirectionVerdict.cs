using System.Collections.Immutable;
using Palisade.Model.Policies;

namespace Palisade.Engine.Evaluation;

/// <summary>The decision for one direction of a flow (egress at the source, ingress at the destination), with its path.</summary>
public sealed record DirectionVerdict(Direction Direction, bool Allowed, VerdictReason Reason)
{
    /// <summary>The rule that decided, for <see cref="VerdictReason.RuleAllowed"/> and <see cref="VerdictReason.RuleDenied"/>.</summary>
    public Rule? Rule { get; init; }

    /// <summary>The policy of the deciding rule.</summary>
    public Policy? Policy { get; init; }

    /// <summary>The tier that decided (by a rule or by its end).</summary>
    public Tier? Tier { get; init; }

    /// <summary>Every tier and policy that applied, and the rules that logged, passed or decided, in order.</summary>
    public ImmutableArray<EvaluationStep> Steps { get; init; } = [];

    /// <summary>Each staged policy that applies, and what it alone would decide.</summary>
    public ImmutableArray<StagedOutcome> Staged { get; init; } = [];

    /// <summary>The verdict if every staged policy were enforced (replacing or deleting its target); null without staged policies.</summary>
    public DirectionVerdict? IfStagedEnforced { get; init; }

    /// <summary>One line a user can read: what decided and why.</summary>
    public string Explain(string workload)
    {
        var dir = Direction == Direction.Ingress ? "ingress" : "egress";
        return Reason switch
        {
            VerdictReason.NotAWorkload => $"{dir}: allowed (not a workload: nothing is enforced at that end)",
            VerdictReason.HostNetwork => $"{dir}: allowed ({workload} is on the host network, which pod policies do not govern)",
            VerdictReason.NoPolicyApplies => $"{dir}: allowed (no policy selects {workload} for {dir}: not isolated)",
            VerdictReason.RuleAllowed => $"{dir}: allowed by {Rule!.Origin} in tier {Tier!.Name}",
            VerdictReason.RuleDenied => $"{dir}: denied by {Rule!.Origin} in tier {Tier!.Name}",
            VerdictReason.TierEndDenied => $"{dir}: denied: {PolicyList()} select{(Steps.Count(s => s.Kind == StepKind.PolicyApplies && s.Tier == Tier) == 1 ? "s" : string.Empty)} {workload} for {dir} in tier {Tier!.Name} and no rule of {(Steps.Count(s => s.Kind == StepKind.PolicyApplies && s.Tier == Tier) == 1 ? "it" : "them")} allows this flow (the tier ends in deny)",
            VerdictReason.PassedAllTiers => $"{dir}: allowed (every tier that applies passed the flow on; the end of all tiers allows)",
            _ => $"{dir}: {(Allowed ? "allowed" : "denied")}",
        };
    }

    private string PolicyList()
    {
        var policies = Steps.Where(s => s.Kind == StepKind.PolicyApplies && s.Tier == Tier).Select(s => s.Policy!.Source.DisplayName).ToList();
        return policies.Count <= 3 ? string.Join(", ", policies) : $"{string.Join(", ", policies.Take(3))} and {policies.Count - 3} more";
    }
}
