using Palisade.Model.Selectors;

namespace Palisade.Engine.Calculation;

/// <summary>The label keys a selector reads, so that the index knows which label changes can affect it.</summary>
internal static class SelectorKeys
{
    public static bool ReadsKeyWithPrefix(Selector? selector, string prefix) => selector switch
    {
        null or AllSelector or GlobalSelector => false,
        HasSelector s => s.Key.StartsWith(prefix, StringComparison.Ordinal),
        EqualSelector s => s.Key.StartsWith(prefix, StringComparison.Ordinal),
        NotEqualSelector s => s.Key.StartsWith(prefix, StringComparison.Ordinal),
        ContainsSelector s => s.Key.StartsWith(prefix, StringComparison.Ordinal),
        StartsWithSelector s => s.Key.StartsWith(prefix, StringComparison.Ordinal),
        EndsWithSelector s => s.Key.StartsWith(prefix, StringComparison.Ordinal),
        InSelector s => s.Key.StartsWith(prefix, StringComparison.Ordinal),
        NotInSelector s => s.Key.StartsWith(prefix, StringComparison.Ordinal),
        NotSelector s => ReadsKeyWithPrefix(s.Operand, prefix),
        AndSelector s => s.Operands.Any(o => ReadsKeyWithPrefix(o, prefix)),
        OrSelector s => s.Operands.Any(o => ReadsKeyWithPrefix(o, prefix)),

        // An unknown node: assume it reads everything, which is only slower, never wrong.
        _ => true,
    };
}
