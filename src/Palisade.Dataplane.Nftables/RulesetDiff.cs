using System.Text;
using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables;

/// <summary>
/// Turns the difference between the table in the kernel and the desired one into one nftables transaction holding
/// only what changed: new and removed sets and chains, element adds and deletes, and flushed-and-refilled chains.
/// Applied as one batch, the kernel switches from the old state to the new one atomically.
/// </summary>
public static class RulesetDiff
{
    /// <summary>A transaction that replaces whatever table of that name exists with <paramref name="desired"/>, atomically.</summary>
    public static string Replace(NftTable desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var t = $"{desired.Family} {desired.Name}";
        return $"add table {t}\ndelete table {t}\n{desired.ToScript()}";
    }

    /// <summary>The commands taking the kernel from <paramref name="current"/> to <paramref name="desired"/>; empty when equal.</summary>
    public static string Transaction(NftTable current, NftTable desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        var t = $"{desired.Family} {desired.Name}";
        var create = new StringBuilder();
        var fill = new StringBuilder();
        var chains = new StringBuilder();
        var elementDeletes = new StringBuilder();
        var removals = new StringBuilder();

        foreach (var (name, set) in desired.Sets)
        {
            if (!current.Sets.TryGetValue(name, out var old) || old.Declaration != set.Declaration)
            {
                if (old is not null)
                {
                    // A changed type: remove and create again in the same transaction.
                    create.Append(old.IsMap ? "delete map " : "delete set ").Append(t).Append(' ').Append(name).Append('\n');
                }

                create.Append(set.IsMap ? "add map " : "add set ").Append(t).Append(' ').Append(name).Append(" { ").Append(set.Declaration).Append(" }\n");
                AppendElements(set.IsMap ? fill : fill, "add", t, set, set.Elements);
                continue;
            }

            var oldElements = old.Elements.ToHashSet(StringComparer.Ordinal);
            var newElements = set.Elements.ToHashSet(StringComparer.Ordinal);
            var added = set.Elements.Where(e => !oldElements.Contains(e)).ToList();
            var removed = old.Elements.Where(e => !newElements.Contains(e)).ToList();
            if (set.IsMap)
            {
                // A map key whose verdict changed is deleted (by key) and added again.
                var addedKeys = added.Select(MapKey).ToHashSet(StringComparer.Ordinal);
                AppendElements(elementDeletes, "delete", t, set, removed.Where(e => !addedKeys.Contains(MapKey(e))).Select(MapKey).ToList());
                AppendElements(fill, "delete", t, set, removed.Where(e => addedKeys.Contains(MapKey(e))).Select(MapKey).ToList());
                AppendElements(chains, "add", t, set, added);
            }
            else
            {
                AppendElements(fill, "add", t, set, added);
                AppendElements(elementDeletes, "delete", t, set, removed);
            }
        }

        foreach (var (name, chain) in desired.Chains)
        {
            if (!current.Chains.TryGetValue(name, out var old))
            {
                create.Append("add chain ").Append(t).Append(' ').Append(name);
                if (chain.Hook is not null)
                {
                    create.Append(" { ").Append(chain.Hook).Append(" }");
                }

                create.Append('\n');
                AppendRules(chains, t, chain);
            }
            else if (old != chain)
            {
                chains.Append("flush chain ").Append(t).Append(' ').Append(name).Append('\n');
                AppendRules(chains, t, chain);
            }
        }

        foreach (var (name, chain) in current.Chains)
        {
            if (!desired.Chains.ContainsKey(name))
            {
                // Emptied first: a chain may jump to another removed in the same transaction.
                chains.Insert(0, $"flush chain {t} {name}\n");
                removals.Append("delete chain ").Append(t).Append(' ').Append(name).Append('\n');
            }
        }

        foreach (var (name, set) in current.Sets)
        {
            if (!desired.Sets.ContainsKey(name))
            {
                removals.Append(set.IsMap ? "delete map " : "delete set ").Append(t).Append(' ').Append(name).Append('\n');
            }
        }

        return string.Concat(create, fill, chains, elementDeletes, removals);
    }

    private static string MapKey(string element) => element[..element.IndexOf(" : ", StringComparison.Ordinal)];

    private static void AppendElements(StringBuilder sb, string verb, string table, NftSet set, IReadOnlyCollection<string> elements)
    {
        if (elements.Count == 0)
        {
            return;
        }

        // Large sets go in chunks: one command line per few thousand elements keeps the parser's memory flat.
        foreach (var chunk in elements.Chunk(2000))
        {
            sb.Append(verb).Append(" element ").Append(table).Append(' ').Append(set.Name).Append(" { ").Append(string.Join(", ", chunk)).Append(" }\n");
        }
    }

    private static void AppendRules(StringBuilder sb, string table, NftChain chain)
    {
        foreach (var rule in chain.Rules)
        {
            sb.Append("add rule ").Append(table).Append(' ').Append(chain.Name).Append(' ').Append(rule).Append('\n');
        }
    }
}
