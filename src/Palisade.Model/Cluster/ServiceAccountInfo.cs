namespace Palisade.Model.Cluster;

/// <summary>A service account and its labels; workloads name theirs, and policies may select by it.</summary>
public sealed record ServiceAccountInfo(string Namespace, string Name, LabelSet Labels)
{
    public SourceRef? Source { get; init; }
}
