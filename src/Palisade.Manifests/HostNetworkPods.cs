namespace Palisade.Manifests;

/// <summary>
/// How pods with <c>hostNetwork: true</c> are read. The NetworkPolicy documentation leaves their behaviour to the
/// network plugin, and both readings exist in the field.
/// </summary>
public enum HostNetworkPods
{
    /// <summary>
    /// Not isolated (the common reading, and Palisade's default): plugins cannot tell their traffic from the node's, so
    /// no policy applies to them and no pod or namespace selector selects them as peers.
    /// </summary>
    Unisolated,

    /// <summary>Read like any other pod: policies select them and apply to them by their labels and namespace.</summary>
    Ordinary,
}
