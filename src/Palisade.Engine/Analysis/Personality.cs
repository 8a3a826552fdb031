using System.Collections.Immutable;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Analysis;

/// <summary>Workloads that share a namespace and a label set: one personality, treated alike by label-based policy.</summary>
public sealed record Personality(string Namespace, LabelSet Labels, ImmutableArray<string> Workloads)
{
    public override string ToString() => $"{Labels} in {Namespace}";

    public static (string, LabelSet) KeyOf(Workload w) => (w.Namespace, w.Labels);
}
