namespace Palisade.Model.Cluster;

/// <summary>A namespace and its labels (always including <c>kubernetes.io/metadata.name</c>).</summary>
public sealed record NamespaceInfo(string Name, LabelSet Labels)
{
    /// <summary>The label Kubernetes sets on every namespace to its name.</summary>
    public const string NameLabel = "kubernetes.io/metadata.name";

    /// <summary>Null when the namespace was only referenced, never defined.</summary>
    public SourceRef? Source { get; init; }
}
