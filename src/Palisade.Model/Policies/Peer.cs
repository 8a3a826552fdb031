using Palisade.Model.Selectors;

namespace Palisade.Model.Policies;

/// <summary>
/// One way to name the other end of a flow (or the workloads a policy applies to). Every condition that is set must
/// hold (AND). Conditions on labels need a workload; <see cref="Nets"/> matches any address, workload or not.
/// </summary>
public sealed record Peer
{
    /// <summary>The workload's own labels.</summary>
    public Selector? Selector { get; init; }

    /// <summary>Exactly this namespace: the implicit scope of a namespaced policy's selectors.</summary>
    public string? Namespace { get; init; }

    /// <summary>The labels of the workload's namespace.</summary>
    public Selector? NamespaceSelector { get; init; }

    /// <summary>The labels of the workload's service account.</summary>
    public Selector? ServiceAccountSelector { get; init; }

    /// <summary>Any of these service account names (in the workload's namespace).</summary>
    public EquatableArray<string> ServiceAccountNames { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The labels of a node: the peer is any address of a node these select.</summary>
    public Selector? NodeSelector { get; init; }

    /// <summary>Any of these address ranges; empty means no address condition.</summary>
    public EquatableArray<CidrBlock> Nets { get; init; } = EquatableArray<CidrBlock>.Empty;

    /// <summary>
    /// Calico's reading: selectors see the labels Calico adds (<see cref="Cluster.ClusterSnapshot.CalicoLabels"/>) and
    /// also select network sets, whose address ranges then match; <c>global()</c> in the namespace selector widens the
    /// scope to global network sets.
    /// </summary>
    public bool CalicoScope { get; init; }

    /// <summary>Whether this peer can only be a workload (some condition reads a workload's metadata).</summary>
    public bool RequiresWorkload =>
        Selector is not null || Namespace is not null || NamespaceSelector is not null ||
        ServiceAccountSelector is not null || !ServiceAccountNames.IsEmpty;

    /// <summary>A peer that matches nothing: what an unenforceable or unknown peer fails closed to.</summary>
    public static Peer Nothing { get; } = new() { Selector = Selectors.Selector.Not(Selectors.Selector.All) };

    /// <summary>Every workload, anywhere.</summary>
    public static Peer AnyWorkload { get; } = new() { Selector = Selector.All, NamespaceSelector = Selector.All };

    public override string ToString()
    {
        var parts = new List<string>(5);
        if (Namespace is not null)
        {
            parts.Add($"namespace {Namespace}");
        }

        if (NamespaceSelector is not null)
        {
            parts.Add($"namespaces [{NamespaceSelector}]");
        }

        if (Selector is not null)
        {
            parts.Add($"workloads [{Selector}]");
        }

        if (ServiceAccountSelector is not null)
        {
            parts.Add($"service accounts [{ServiceAccountSelector}]");
        }

        if (!ServiceAccountNames.IsEmpty)
        {
            parts.Add($"service accounts {{{string.Join(", ", ServiceAccountNames)}}}");
        }

        if (NodeSelector is not null)
        {
            parts.Add($"nodes [{NodeSelector}]");
        }

        if (!Nets.IsEmpty)
        {
            parts.Add($"nets {{{string.Join("; ", Nets)}}}");
        }

        return parts.Count == 0 ? "anything" : string.Join(" and ", parts);
    }
}
