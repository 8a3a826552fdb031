namespace Palisade.Model.Cluster;

/// <summary>A service account and its labels; workloads name theirs, and policies may select by it.</summary>
public sealed record ServiceAccountInfo(string Namespace, string Name, LabelSet Labels)
{
    public SourceRef? Source { get; init; }

    /// <summary>The label Calico adds to every service account's labels: its name, so selectors can pick one by name.</summary>
    public const string CalicoNameLabel = "projectcalico.org/name";

    /// <summary>The labels service account selectors see: the account's own plus <c>projectcalico.org/name</c>.</summary>
    public static LabelSet SelectableLabels(string name, LabelSet labels) => LabelSet.Merge(labels, LabelSet.Of(CalicoNameLabel, name), LabelSet.Empty);
}
