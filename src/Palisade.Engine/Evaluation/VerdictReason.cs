namespace Palisade.Engine.Evaluation;

/// <summary>Why one direction of a flow was allowed or denied.</summary>
public enum VerdictReason
{
    /// <summary>This end is not a workload (an outside address): nothing is enforced there.</summary>
    NotAWorkload,

    /// <summary>The workload runs on the host network, which pod policies do not govern.</summary>
    HostNetwork,

    /// <summary>No policy applies to the workload in this direction, so it is not isolated.</summary>
    NoPolicyApplies,

    /// <summary>An Allow rule matched.</summary>
    RuleAllowed,

    /// <summary>A Deny rule matched.</summary>
    RuleDenied,

    /// <summary>Policies of a tier applied to the workload, none of their rules matched, and the tier ends in deny.</summary>
    TierEndDenied,

    /// <summary>Policies applied, but every tier passed the flow on, and the end of all tiers allows.</summary>
    PassedAllTiers,
}
