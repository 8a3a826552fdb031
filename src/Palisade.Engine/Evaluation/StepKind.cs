namespace Palisade.Engine.Evaluation;

/// <summary>What happened at one step of evaluating a direction.</summary>
public enum StepKind
{
    /// <summary>A policy applies to the workload in this direction.</summary>
    PolicyApplies,

    /// <summary>A Log rule matched; evaluation went on.</summary>
    Logged,

    /// <summary>A Pass rule matched; evaluation skipped to the next tier.</summary>
    Passed,

    /// <summary>The decision (an Allow or Deny rule, or a tier's end).</summary>
    Decided,

    /// <summary>Policies of the tier applied, no rule matched, and the tier passes to the next one.</summary>
    TierPassed,
}
