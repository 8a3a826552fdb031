using Palisade.Dataplane.Nftables.Model;
using Palisade.Dataplane.Nftables.Transactions;

namespace Palisade.Dataplane.Nftables;

/// <summary>
/// Turns the difference between the table in the kernel and the desired one into one nftables transaction holding
/// only what changed: new and removed sets and chains, element adds and deletes, and flushed-and-refilled chains.
/// Applied as one batch, the kernel switches from the old state to the new one atomically.
/// </summary>
public static class RulesetDiff
{
    /// <summary>Large sets go in chunks: one command per few thousand elements keeps nft's parser memory flat.</summary>
    private const int ElementsPerCommand = 2000;

    /// <summary>A transaction that replaces whatever table of that name exists with <paramref name="desired"/>, atomically.</summary>
    public static string Replace(NftTable desired) => ReplacePlan(desired).ToString();

    /// <summary>The commands taking the kernel from <paramref name="current"/> to <paramref name="desired"/>; empty when equal.</summary>
    public static string Transaction(NftTable current, NftTable desired) => Plan(current, desired).ToString();

    /// <summary><see cref="Replace"/> as data.</summary>
    public static NftTransaction ReplacePlan(NftTable desired)
    {
        ArgumentNullException.ThrowIfNull(desired);

        // Adding first makes the delete succeed whether or not the table was there.
        return new NftTransaction(desired.Family, desired.Name, [new NftAddTable(), new NftDeleteTable(), new NftDefineTable(desired)]);
    }

    /// <summary><see cref="Transaction"/> as data.</summary>
    public static NftTransaction Plan(NftTable current, NftTable desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);

        // The order matters to the kernel, which checks each command against the state the earlier ones left: sets and
        // chains exist before rules and elements name them; a map key whose verdict changes is deleted before it is
        // added again; chains are emptied before anything they use goes.
        var create = new List<NftCommand>();
        var fill = new List<NftCommand>();
        var chains = new List<NftCommand>();
        var elementDeletes = new List<NftCommand>();
        var removals = new List<NftCommand>();

        foreach (var (name, set) in desired.Sets)
        {
            if (!current.Sets.TryGetValue(name, out var old) || !old.SameDeclaration(set))
            {
                if (old is not null)
                {
                    // A changed type: remove and create again in the same transaction.
                    create.Add(new NftDeleteSet(name, old.IsMap));
                }

                create.Add(new NftAddSet(set));
                AddElements(fill, name, set.Elements);
                continue;
            }

            var oldElements = old.Elements.ToHashSet();
            var newElements = set.Elements.ToHashSet();
            var added = set.Elements.Where(e => !oldElements.Contains(e)).ToList();
            var removed = old.Elements.Where(e => !newElements.Contains(e)).ToList();
            if (set.IsMap)
            {
                // A map key whose verdict changed is deleted (by key) and added again.
                var addedKeys = added.Select(e => e.Key).ToHashSet();
                DeleteElements(elementDeletes, name, removed.Where(e => !addedKeys.Contains(e.Key)).Select(e => e.Key).ToList());
                DeleteElements(fill, name, removed.Where(e => addedKeys.Contains(e.Key)).Select(e => e.Key).ToList());
                AddElements(chains, name, added);
            }
            else
            {
                AddElements(fill, name, added);
                DeleteElements(elementDeletes, name, removed.Select(e => e.Key).ToList());
            }
        }

        foreach (var (name, chain) in desired.Chains)
        {
            if (!current.Chains.TryGetValue(name, out var old))
            {
                create.Add(new NftAddChain(name, chain.Hook));
                chains.AddRange(chain.Rules.Select(r => new NftAddRule(name, r)));
            }
            else if (old != chain)
            {
                chains.Add(new NftFlushChain(name));
                chains.AddRange(chain.Rules.Select(r => new NftAddRule(name, r)));
            }
        }

        var flushes = new List<NftCommand>();
        foreach (var name in current.Chains.Keys)
        {
            if (!desired.Chains.ContainsKey(name))
            {
                // Emptied first: a chain may jump to another removed in the same transaction.
                flushes.Insert(0, new NftFlushChain(name));
                removals.Add(new NftDeleteChain(name));
            }
        }

        foreach (var (name, set) in current.Sets)
        {
            if (!desired.Sets.ContainsKey(name))
            {
                removals.Add(new NftDeleteSet(name, set.IsMap));
            }
        }

        return new NftTransaction(desired.Family, desired.Name, [.. create, .. fill, .. flushes, .. chains, .. elementDeletes, .. removals]);
    }

    private static void AddElements(List<NftCommand> commands, string set, IReadOnlyCollection<NftElement> elements)
    {
        foreach (var chunk in elements.Chunk(ElementsPerCommand))
        {
            commands.Add(new NftAddElements(set, [.. chunk]));
        }
    }

    private static void DeleteElements(List<NftCommand> commands, string set, IReadOnlyCollection<NftValue> keys)
    {
        foreach (var chunk in keys.Chunk(ElementsPerCommand))
        {
            commands.Add(new NftDeleteElements(set, [.. chunk]));
        }
    }
}
