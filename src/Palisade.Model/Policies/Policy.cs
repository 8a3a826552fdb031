namespace Palisade.Model.Policies;

/// <summary>
/// A policy in the one internal model: the workloads it applies to, the directions it governs and its ordered rules.
/// Every accepted format compiles into this.
/// </summary>
public sealed record Policy(string Name, SourceRef Source, Peer AppliesTo)
{
    /// <summary>The namespace of a namespaced policy; null for cluster-wide policies.</summary>
    public string? Namespace { get; init; }

    /// <summary>Precedence inside the tier: lower first; ties broken by <see cref="Name"/>.</summary>
    public double Order { get; init; }

    /// <summary>Whether the policy governs ingress of the workloads it applies to.</summary>
    public bool GovernsIngress { get; init; }

    /// <summary>Whether the policy governs egress of the workloads it applies to.</summary>
    public bool GovernsEgress { get; init; }

    public EquatableArray<Rule> IngressRules { get; init; } = EquatableArray<Rule>.Empty;

    public EquatableArray<Rule> EgressRules { get; init; } = EquatableArray<Rule>.Empty;

    /// <summary>Staged policies are evaluated and reported, never enforced.</summary>
    public bool Staged { get; init; }

    /// <summary>A staged deletion: if enforced, it would remove the enforced policy of the same name.</summary>
    public bool StagedDeletion { get; init; }

    /// <summary>The name that ties a staged policy to the enforced one it would replace (kind family, namespace, name).</summary>
    public string? StagedTarget { get; init; }

    public bool Governs(Direction direction) => direction == Direction.Ingress ? GovernsIngress : GovernsEgress;

    public EquatableArray<Rule> Rules(Direction direction) => direction == Direction.Ingress ? IngressRules : EgressRules;

    public override string ToString() => Source.DisplayName;
}
