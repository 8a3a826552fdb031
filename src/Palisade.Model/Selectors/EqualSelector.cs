using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>k == 'v'</c>: matches when the label is present with exactly this value.</summary>
public sealed record EqualSelector(string Key, string Value) : Selector
{
    public string Key { get; } = SelectorSyntax.CheckKey(Key, nameof(Key));

    public string Value { get; } = SelectorSyntax.CheckValue(Value, nameof(Value));

    public override bool Matches(LabelSet labels, bool global = false)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels.TryGetValue(Key, out var actual) && string.Equals(actual, Value, StringComparison.Ordinal);
    }

    internal override void Write(StringBuilder sb)
    {
        sb.Append(Key).Append(" == ");
        SelectorSyntax.WriteQuoted(sb, Value);
    }
}
