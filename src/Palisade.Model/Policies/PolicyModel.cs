using System.Collections.Immutable;

namespace Palisade.Model.Policies;

/// <summary>The one internal policy model: tiers in evaluation order, each with its policies in order.</summary>
public sealed class PolicyModel
{
    /// <summary>Calico's order for its <c>default</c> tier, where Kubernetes NetworkPolicies live.</summary>
    public const double DefaultTierOrder = 1_000_000;

    /// <summary>The order Calico gives Kubernetes NetworkPolicies inside the default tier.</summary>
    public const double KubernetesPolicyOrder = 1000;

    public const string DefaultTierName = "default";

    /// <summary>Calico's tier for AdminNetworkPolicies and Admin-tier ClusterNetworkPolicies: order 1,000, ends in Pass.</summary>
    public const string AdminTierName = "kube-admin";

    public const double AdminTierOrder = 1000;

    /// <summary>Calico's tier for BaselineAdminNetworkPolicy and Baseline-tier ClusterNetworkPolicies, after the default tier.</summary>
    public const string BaselineTierName = "kube-baseline";

    public const double BaselineTierOrder = 10_000_000;

    public PolicyModel(IEnumerable<Tier> tiers)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        Tiers = [.. tiers
            .Select(t => t with { Policies = new([.. t.Policies.OrderBy(p => p.Order).ThenBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Namespace ?? string.Empty, StringComparer.Ordinal).ThenBy(p => $"{p.Source.ApiVersion} {p.Source.Kind}", StringComparer.Ordinal)]) })
            .OrderBy(t => t.Order)
            .ThenBy(t => t.Name, StringComparer.Ordinal)];
    }

    public static PolicyModel Empty { get; } = new([]);

    /// <summary>
    /// Tiers in evaluation order, each with its policies sorted by order, then name (as Calico documents: equal orders
    /// go by policy name), then namespace, then kind.
    /// </summary>
    public ImmutableArray<Tier> Tiers { get; }

    public IEnumerable<Policy> Policies => Tiers.SelectMany(t => t.Policies);

    public int PolicyCount => Tiers.Sum(t => t.Policies.Count);
}
