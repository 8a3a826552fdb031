using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>has(k)</c>: matches when the label is present, whatever its value.</summary>
public sealed record HasSelector(string Key) : Selector
{
    public string Key { get; } = SelectorSyntax.CheckKey(Key, nameof(Key));

    public override bool Matches(LabelSet labels, bool global = false)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels.ContainsKey(Key);
    }

    internal override void Write(StringBuilder sb) => sb.Append("has(").Append(Key).Append(')');
}
