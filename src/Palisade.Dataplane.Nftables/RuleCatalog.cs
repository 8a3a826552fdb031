using Palisade.Model.Policies;

namespace Palisade.Dataplane.Nftables;

/// <summary>What a rule id in a packet mark stands for: the tier, policy and rule that decided (or a tier's end).</summary>
public sealed record DecidingRule(string Tier, string? Policy, string? Rule, RuleAction Action, Direction Direction)
{
    public override string ToString() => Policy is null
        ? $"end of tier {Tier} ({Action})"
        : $"{Policy} {Rule} in tier {Tier} ({Action})";
}

/// <summary>
/// The numbering of deciding rules the renderer puts into packet marks (bits 8–31), so that flow records read from
/// the kernel can name the tier, policy and rule that decided. Numbers are stable across renders for the same rule.
/// </summary>
public sealed class RuleCatalog
{
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
    private readonly Dictionary<int, DecidingRule> origins = [];

    /// <summary>The number of a deciding rule (1-based; 0 means none).</summary>
    public int IdOf(string key, Func<DecidingRule> origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        if (!ids.TryGetValue(key, out var id))
        {
            id = ids.Count + 1;
            ids[key] = id;
            origins[id] = origin();
        }

        return id;
    }

    public DecidingRule? Find(int id) => origins.GetValueOrDefault(id);

    public int Count => ids.Count;
}
