namespace Palisade.Model.Policies;

/// <summary>
/// An ordered layer of policies. A flow that no rule of the tier matched, at a workload that some policy of the
/// tier applies to, gets the tier's <see cref="EndAction"/> (deny, or pass on to the next tier).
/// </summary>
public sealed record Tier(string Name, double Order, TierKind Kind, RuleAction EndAction)
{
    /// <summary>Policies in evaluation order.</summary>
    public EquatableArray<Policy> Policies { get; init; } = EquatableArray<Policy>.Empty;

    public SourceRef? Source { get; init; }

    public override string ToString() => $"tier {Name}";
}
