using Palisade.Model.Policies;

namespace Palisade.Engine.Evaluation;

/// <summary>What one staged policy that applies to the workload would decide on its own: its first matching rule, or none.</summary>
public sealed record StagedOutcome(Tier Tier, Policy Policy, Rule? Rule)
{
    public override string ToString() => Rule is null
        ? $"{Policy.Source.DisplayName} (staged) applies; no rule matches"
        : $"{Policy.Source.DisplayName} (staged) would {Rule.Action.ToString().ToLowerInvariant()} by {Rule.Origin.Path}";
}
