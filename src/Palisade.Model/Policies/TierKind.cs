namespace Palisade.Model.Policies;

/// <summary>Where a tier's policies come from, which fixes how its end and its selection behave.</summary>
public enum TierKind
{
    /// <summary>Cluster administrators' policies that come first (AdminNetworkPolicy, ClusterNetworkPolicy tier Admin).</summary>
    Admin,

    /// <summary>A Calico tier, or Calico's <c>default</c> tier that also holds Kubernetes NetworkPolicies.</summary>
    Standard,

    /// <summary>Defaults that apply when nothing else decided (BaselineAdminNetworkPolicy, ClusterNetworkPolicy tier Baseline).</summary>
    Baseline,
}
