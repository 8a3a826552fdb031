using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>k ends with 's'</c>: matches when the label is present and its value has the suffix.</summary>
public sealed record EndsWithSelector(string Key, string Value) : Selector
{
    public string Key { get; } = SelectorSyntax.CheckKey(Key, nameof(Key));

    public string Value { get; } = SelectorSyntax.CheckValue(Value, nameof(Value));

    public override bool Matches(LabelSet labels, bool global = false)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels.TryGetValue(Key, out var actual) && actual.EndsWith(Value, StringComparison.Ordinal);
    }

    internal override void Write(StringBuilder sb)
    {
        sb.Append(Key).Append(" ends with ");
        SelectorSyntax.WriteQuoted(sb, Value);
    }
}
