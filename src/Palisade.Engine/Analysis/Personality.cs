using System.Collections.Immutable;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Analysis;

/// <summary>
/// Workloads that share a namespace and the labels policies read: one personality, treated alike by label-based
/// policy (<see cref="Labels"/> holds only those labels).
/// </summary>
public sealed record Personality(string Namespace, LabelSet Labels, ImmutableArray<string> Workloads)
{
    /// <summary>Networks outside the inventory (CIDRs rules or network sets name), not workloads: then <see cref="Workloads"/> lists the networks.</summary>
    public string? Network { get; init; }

    public override string ToString() => Network ?? $"{Labels} in {Namespace}";

    public static Personality External(ImmutableArray<string> networks) => new(string.Empty, LabelSet.Empty, networks) { Network = string.Join(", ", networks) };

}
