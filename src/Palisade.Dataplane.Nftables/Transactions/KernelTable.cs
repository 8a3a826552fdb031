using System.Collections.Immutable;
using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary>
/// One table as the kernel holds it while a transaction is applied in memory: commands change it one by one, and
/// each refuses (with <see cref="InvalidOperationException"/>) what nf_tables refuses.
/// </summary>
internal sealed class KernelTable
{
    private readonly string family;
    private readonly string name;
    private readonly Dictionary<string, (NftSet Declaration, List<NftElement> Elements)> sets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (NftHook? Hook, List<NftRule> Rules)> chains = new(StringComparer.Ordinal);

    public KernelTable(string family, string name, NftTable? current)
    {
        this.family = family;
        this.name = name;
        if (current is null)
        {
            return;
        }

        Exists = true;
        foreach (var set in current.Sets.Values)
        {
            sets[set.Name] = (set with { Elements = [] }, [.. set.Elements]);
        }

        foreach (var chain in current.Chains.Values)
        {
            chains[chain.Name] = (chain.Hook, [.. chain.Rules]);
        }
    }

    public bool Exists { get; set; }

    public NftTable? ToTable() => Exists
        ? new NftTable(family, name,
            sets.Values.Select(s => s.Declaration with { Elements = [.. s.Elements] }).ToImmutableSortedDictionary(s => s.Name, s => s, StringComparer.Ordinal),
            chains.Select(c => new NftChain(c.Key, [.. c.Value.Rules]) { Hook = c.Value.Hook }).ToImmutableSortedDictionary(c => c.Name, c => c, StringComparer.Ordinal))
        : null;

    public void Delete()
    {
        RequireTable();
        Exists = false;
        sets.Clear();
        chains.Clear();
    }

    public void AddSet(NftSet set)
    {
        RequireTable();
        if (sets.TryGetValue(set.Name, out var old))
        {
            if (!old.Declaration.SameDeclaration(set))
            {
                throw new InvalidOperationException($"set {set.Name} exists with another type");
            }

            return;
        }

        sets[set.Name] = (set with { Elements = [] }, []);
    }

    public void DeleteSet(string set)
    {
        RequireTable();
        if (!sets.ContainsKey(set))
        {
            throw new InvalidOperationException($"no set {set}");
        }

        if (chains.Values.SelectMany(c => c.Rules).Any(r => SetsOf(r).Contains(set, StringComparer.Ordinal)))
        {
            throw new InvalidOperationException($"set {set} is in use by a rule");
        }

        sets.Remove(set);
    }

    public void AddElements(string set, IEnumerable<NftElement> elements)
    {
        var (declaration, held) = RequireSet(set);
        foreach (var element in elements)
        {
            var parts = element.Key is NftConcat c ? c.Parts.Count : 1;
            if (parts != declaration.Type.Count)
            {
                throw new InvalidOperationException($"element {element} does not have the type of {set}");
            }

            if (declaration.IsMap != element.Verdict is not null)
            {
                throw new InvalidOperationException(declaration.IsMap ? $"map element {element} has no verdict" : $"set element {element} has a verdict");
            }

            if (!declaration.Interval && HasInterval(element.Key))
            {
                throw new InvalidOperationException($"{set} holds no intervals, got {element}");
            }

            if (element.Verdict is { Chain: { } target })
            {
                RequireChain(target);
            }

            var index = held.FindIndex(e => e.Key.Equals(element.Key));
            if (index >= 0)
            {
                if (held[index] != element)
                {
                    throw new InvalidOperationException($"{set} already holds {held[index]}");
                }

                continue;
            }

            held.Add(element);
        }
    }

    public void DeleteElements(string set, IEnumerable<NftValue> keys)
    {
        var (_, held) = RequireSet(set);
        foreach (var key in keys)
        {
            if (held.RemoveAll(e => e.Key.Equals(key)) == 0)
            {
                throw new InvalidOperationException($"{set} holds no {key}");
            }
        }
    }

    public void AddChain(string chain, NftHook? hook)
    {
        RequireTable();
        if (chains.TryGetValue(chain, out var old))
        {
            if (old.Hook != hook)
            {
                throw new InvalidOperationException($"chain {chain} exists with another hook");
            }

            return;
        }

        chains[chain] = (hook, []);
    }

    public void FlushChain(string chain) => RequireChain(chain).Rules.Clear();

    public void DeleteChain(string chain)
    {
        var (_, rules) = RequireChain(chain);
        if (rules.Count > 0)
        {
            throw new InvalidOperationException($"chain {chain} still holds {rules.Count} rules");
        }

        var used = chains.Values.SelectMany(c => c.Rules).SelectMany(ChainsOf)
            .Concat(sets.Values.SelectMany(s => s.Elements).Select(e => e.Verdict?.Chain))
            .Any(c => c == chain);
        if (used)
        {
            throw new InvalidOperationException($"chain {chain} is the target of a jump");
        }

        chains.Remove(chain);
    }

    public void AddRule(string chain, NftRule rule)
    {
        var (_, rules) = RequireChain(chain);
        foreach (var target in ChainsOf(rule))
        {
            RequireChain(target!);
        }

        foreach (var set in SetsOf(rule))
        {
            RequireSet(set);
        }

        foreach (var map in rule.Statements.OfType<NftVerdictMap>())
        {
            if (!RequireSet(map.Map).Declaration.IsMap)
            {
                throw new InvalidOperationException($"{map.Map} is not a verdict map");
            }
        }

        rules.Add(rule);
    }

    private static IEnumerable<string> SetsOf(NftRule rule) => rule.Statements.Select(s => s switch
    {
        NftMatch { Value: NftSetRef r } => r.Set,
        NftVerdictMap m => m.Map,
        _ => null,
    }).OfType<string>();

    private static IEnumerable<string?> ChainsOf(NftRule rule) => rule.Statements.OfType<NftVerdict>().Where(v => v.Chain is not null).Select(v => v.Chain);

    private static bool HasInterval(NftValue value) => value switch
    {
        NftRange => true,
        NftPrefix p => p.Network.PrefixLength < p.Network.BaseAddress.GetAddressBytes().Length * 8,
        NftConcat c => c.Parts.Any(HasInterval),
        _ => false,
    };

    private void RequireTable()
    {
        if (!Exists)
        {
            throw new InvalidOperationException($"no table {family} {name}");
        }
    }

    private (NftSet Declaration, List<NftElement> Elements) RequireSet(string set)
    {
        RequireTable();
        return sets.TryGetValue(set, out var s) ? s : throw new InvalidOperationException($"no set {set}");
    }

    private (NftHook? Hook, List<NftRule> Rules) RequireChain(string chain)
    {
        RequireTable();
        return chains.TryGetValue(chain, out var c) ? c : throw new InvalidOperationException($"no chain {chain}");
    }
}
