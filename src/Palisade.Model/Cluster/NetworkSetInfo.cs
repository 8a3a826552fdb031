namespace Palisade.Model.Cluster;

/// <summary>
/// A labelled set of address ranges (Calico NetworkSet, or GlobalNetworkSet when <see cref="Namespace"/> is null):
/// outside addresses that policies select by labels, like workloads.
/// </summary>
public sealed record NetworkSetInfo(string? Namespace, string Name, LabelSet Labels, EquatableArray<Policies.CidrBlock> Nets)
{
    public SourceRef? Source { get; init; }

    public bool IsGlobal => Namespace is null;

    public string Id => Namespace is null ? Name : $"{Namespace}/{Name}";
}
