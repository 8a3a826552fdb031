using System.Collections.Immutable;

namespace Palisade.Server.Api;

/// <summary>One kind the server serves at one group-version: its names, its scope, and how its patches are read.</summary>
/// <param name="StrategicMerge">Built-in Kubernetes kinds, which kubectl patches with strategic merge patches; the others
/// (policy.networking.k8s.io, projectcalico.org) are custom resources to kubectl and get JSON merge patches.</param>
internal sealed record ResourceKind(
    string Group,
    string Version,
    string Kind,
    string Plural,
    bool Namespaced,
    ImmutableArray<string> ShortNames,
    bool StrategicMerge)
{
    /// <summary>The apiVersion of the kind's objects: <c>v1</c>, <c>apps/v1</c>.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string Singular => Kind.ToLowerInvariant();

    public string ListKind => Kind + "List";

    /// <summary>How messages name the resource, as kube-apiserver does: <c>pods</c>, <c>deployments.apps</c>.</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>
    /// The resource segment of the store key. The group is part of it where two groups share a plural (Kubernetes' and
    /// Calico's networkpolicies); every version of a group's resource shares one key space, as one storage version does.
    /// </summary>
    public string StoreResource => Group is "" or "apps" or "batch" or "networking.k8s.io" ? Plural : $"{Plural}.{Group}";

    /// <summary>The kinds a server may serve in a group, with the verbs it supports for each.</summary>
    public static ImmutableArray<string> Verbs { get; } = ["create", "delete", "get", "list", "patch", "update", "watch"];
}
