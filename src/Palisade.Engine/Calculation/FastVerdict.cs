using Palisade.Engine.Evaluation;

namespace Palisade.Engine.Calculation;

/// <summary>One direction's decision from the engine's fast path: the reason and, by index, the deciding policy and rule.</summary>
public readonly record struct DirectionOutcome(VerdictReason Reason, int Policy, int Rule, int Tier, Palisade.Model.Policies.Direction Direction)
{
    public bool Allowed => Reason is not (VerdictReason.RuleDenied or VerdictReason.TierEndDenied);
}

/// <summary>A flow's decision from the engine's fast path; no allocation.</summary>
public readonly record struct FastVerdict(DirectionOutcome Egress, DirectionOutcome Ingress)
{
    public bool Allowed => Egress.Allowed && Ingress.Allowed;

    /// <summary>A verdict from its two sides, ingress given (and so computed) first.</summary>
    internal static FastVerdict IngressFirst(DirectionOutcome ingress, DirectionOutcome egress) => new(egress, ingress);
}
