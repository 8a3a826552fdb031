using System.Net;

namespace Palisade.Model.Cluster;

/// <summary>A node: its labels (what node peers select) and its addresses (what such a peer matches).</summary>
public sealed record NodeInfo(string Name, LabelSet Labels)
{
    public EquatableArray<IPAddress> Addresses { get; init; } = EquatableArray<IPAddress>.Empty;

    public SourceRef? Source { get; init; }
}
