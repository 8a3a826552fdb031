using Palisade.Model.Selectors;

namespace Palisade.Engine.Calculation;

/// <summary>The label keys a selector reads, so that the index knows which label changes can affect it.</summary>
internal static class SelectorKeys
{
    /// <summary>Adds the label keys a selector reads to <paramref name="keys"/>; false when it cannot tell (an unknown node).</summary>
    public static bool CollectKeys(Selector? selector, HashSet<string> keys)
    {
        if (Key(selector) is { } key)
        {
            keys.Add(key);
            return true;
        }

        return selector switch
        {
            null or AllSelector or GlobalSelector => true,
            NotSelector s => CollectKeys(s.Operand, keys),
            AndSelector s => s.Operands.All(o => CollectKeys(o, keys)),
            OrSelector s => s.Operands.All(o => CollectKeys(o, keys)),
            _ => false,
        };
    }

    /// <summary>The one key a leaf selector tests; null for other nodes.</summary>
    private static string? Key(Selector? selector) => selector switch
    {
        HasSelector s => s.Key,
        EqualSelector s => s.Key,
        NotEqualSelector s => s.Key,
        ContainsSelector s => s.Key,
        StartsWithSelector s => s.Key,
        EndsWithSelector s => s.Key,
        InSelector s => s.Key,
        NotInSelector s => s.Key,
        _ => null,
    };

    public static bool ReadsKeyWithPrefix(Selector? selector, string prefix)
    {
        if (Key(selector) is { } key)
        {
            return key.StartsWith(prefix, StringComparison.Ordinal);
        }

        return selector switch
        {
            null or AllSelector or GlobalSelector => false,
            NotSelector s => ReadsKeyWithPrefix(s.Operand, prefix),
            AndSelector s => s.Operands.Any(o => ReadsKeyWithPrefix(o, prefix)),
            OrSelector s => s.Operands.Any(o => ReadsKeyWithPrefix(o, prefix)),

            // An unknown node: assume it reads everything, which is only slower, never wrong.
            _ => true,
        };
    }
}
