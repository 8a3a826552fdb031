namespace Palisade.Model;

/// <summary>Where a resource came from: its kind and name, and the file and line it was read at.</summary>
public sealed record SourceRef(string ApiVersion, string Kind, string? Namespace, string Name)
{
    public string? File { get; init; }

    public int Line { get; init; }

    /// <summary>
    /// <c>Kind ns/name</c> or <c>Kind name</c> for cluster-scoped resources. Calico's namespaced NetworkPolicy kinds
    /// read <c>Calico NetworkPolicy ns/name</c>, so that they are not taken for Kubernetes NetworkPolicies of the same name.
    /// </summary>
    public string DisplayName => Namespace is null ? $"{Kind} {Name}" : $"{KindName} {Namespace}/{Name}";

    private string KindName => Kind is "NetworkPolicy" or "StagedNetworkPolicy" && ApiVersion.StartsWith("projectcalico.org/", StringComparison.Ordinal) ? $"Calico {Kind}" : Kind;

    /// <summary><c>file:line</c> when known.</summary>
    public string? Location => File is null ? null : Line > 0 ? $"{File}:{Line}" : File;

    public override string ToString() => DisplayName;
}
