using Palisade.Model.Selectors;

namespace Palisade.Model.Policies;

/// <summary>What a rule requires of one end of a flow (its source or its destination).</summary>
public sealed record EntityMatch
{
    /// <summary>Any of these peers; empty means any entity.</summary>
    public EquatableArray<Peer> Peers { get; init; } = EquatableArray<Peer>.Empty;

    /// <summary>A workload whose labels match this is excluded.</summary>
    public Selector? NotSelector { get; init; }

    /// <summary>An address in any of these ranges is excluded.</summary>
    public EquatableArray<CidrBlock> NotNets { get; init; } = EquatableArray<CidrBlock>.Empty;

    /// <summary>Any of these ports; empty means any port.</summary>
    public EquatableArray<PortMatch> Ports { get; init; } = EquatableArray<PortMatch>.Empty;

    /// <summary>Ports that are excluded.</summary>
    public EquatableArray<PortMatch> NotPorts { get; init; } = EquatableArray<PortMatch>.Empty;

    public static EntityMatch Any { get; } = new();

    public bool IsAny => Peers.IsEmpty && NotSelector is null && NotNets.IsEmpty && Ports.IsEmpty && NotPorts.IsEmpty;

    public override string ToString()
    {
        var parts = new List<string>(4);
        parts.Add(Peers.IsEmpty ? "anything" : string.Join(" or ", Peers.Select(p => "(" + p + ")")));
        if (NotSelector is not null)
        {
            parts.Add($"not [{NotSelector}]");
        }

        if (!NotNets.IsEmpty)
        {
            parts.Add($"not nets {{{string.Join("; ", NotNets)}}}");
        }

        if (!Ports.IsEmpty)
        {
            parts.Add($"ports {{{string.Join(", ", Ports)}}}");
        }

        if (!NotPorts.IsEmpty)
        {
            parts.Add($"not ports {{{string.Join(", ", NotPorts)}}}");
        }

        return string.Join(", ", parts);
    }
}
