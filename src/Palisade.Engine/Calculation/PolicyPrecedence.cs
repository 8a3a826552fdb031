using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The order policies are walked in (tier order, tier name, policy order, name, namespace, key) and the edits of arrays
/// kept in that order. Shared by the policy resolver, which sorts its runs, and the tier-program compiler, which splices
/// chunks: both must agree on it, or an edited run and a rebuilt one would differ.
/// </summary>
internal static class PolicyPrecedence
{
    /// <summary>Policy precedence: tier order, tier name, policy order, namespace, name.</summary>
    public static readonly Comparison<PolicyState> Compare = static (a, b) =>
    {
        var c = a.Tier.Tier.Order.CompareTo(b.Tier.Tier.Order);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Tier.Tier.Name, b.Tier.Tier.Name);
        }

        if (c == 0)
        {
            c = a.Policy.Order.CompareTo(b.Policy.Order);
        }

        // Equal orders go by policy name (Calico's documented tie-break), then namespace.
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Policy.Name, b.Policy.Name);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Policy.Namespace ?? string.Empty, b.Policy.Namespace ?? string.Empty);
        }

        // Same name in two dialects (a Kubernetes and a Calico NetworkPolicy): order by kind, then API version.
        return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
    };

    public static readonly Comparer<PolicyState> Comparer = Comparer<PolicyState>.Create(Compare);

    /// <summary>
    /// A precedence-sorted array with <paramref name="policy"/> inserted or removed (the same array when it already
    /// is, or is not, there).
    /// </summary>
    public static PolicyState[] WithPolicy(PolicyState[] sorted, PolicyState policy, bool added)
    {
        var at = Array.BinarySearch(sorted, policy, Comparer);
        if (added)
        {
            if (at >= 0 && ReferenceEquals(sorted[at], policy))
            {
                return sorted;
            }

            var insert = at >= 0 ? at : ~at;
            var longer = new PolicyState[sorted.Length + 1];
            Array.Copy(sorted, longer, insert);
            longer[insert] = policy;
            Array.Copy(sorted, insert, longer, insert + 1, sorted.Length - insert);
            return longer;
        }

        var remove = at >= 0 && ReferenceEquals(sorted[at], policy) ? at : Array.IndexOf(sorted, policy);
        if (remove < 0)
        {
            return sorted;
        }

        var shorter = new PolicyState[sorted.Length - 1];
        Array.Copy(sorted, shorter, remove);
        Array.Copy(sorted, remove + 1, shorter, remove, sorted.Length - remove - 1);
        return shorter;
    }

    /// <summary>Tier order: by order, then name.</summary>
    public static int CompareTiers(TierState a, TierState b)
    {
        var c = a.Tier.Order.CompareTo(b.Tier.Order);
        return c != 0 ? c : string.CompareOrdinal(a.Tier.Name, b.Tier.Name);
    }
}
