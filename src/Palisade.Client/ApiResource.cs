namespace Palisade.Client;

/// <summary>One resource a server's discovery documents: <c>networkpolicies</c> of <c>networking.k8s.io/v1</c>, kind NetworkPolicy.</summary>
/// <param name="GroupVersion">"v1" for the core group, else "GROUP/VERSION".</param>
/// <param name="Plural">The resource name in paths (<c>networkpolicies</c>).</param>
public sealed record ApiResource(string GroupVersion, string Plural, string Kind, bool Namespaced, IReadOnlyList<string> Verbs)
{
    /// <summary>The path that lists every object of the resource, in all namespaces.</summary>
    public string ListPath => CollectionPath(null);

    /// <summary>The path of the objects in one namespace (all namespaces, or a cluster-scoped resource, when null).</summary>
    public string CollectionPath(string? ns) =>
        (GroupVersion.Contains('/', StringComparison.Ordinal) ? "/apis/" : "/api/") + GroupVersion
        + (ns is null ? "" : "/namespaces/" + Uri.EscapeDataString(ns)) + "/" + Plural;
}
