using System.Collections.Immutable;
using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>k not in {'a', 'b'}</c>: matches when the label is absent or has none of the values.</summary>
/// <remarks>
/// The set is kept sorted (ordinal) and free of duplicates, so sets with the same members make equal nodes and
/// print alike, whatever order they were written in.
/// </remarks>
public sealed record NotInSelector(string Key, ImmutableArray<string> Values) : Selector
{
    public string Key { get; } = SelectorSyntax.CheckKey(Key, nameof(Key));

    public ImmutableArray<string> Values { get; } = SelectorSyntax.NormalizeSet(Values, nameof(Values));

    public override bool Matches(LabelSet labels, bool global = false)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return !labels.TryGetValue(Key, out var actual) || !SelectorSyntax.SetContains(Values, actual);
    }

    public bool Equals(NotInSelector? other) =>
        ReferenceEquals(this, other) ||
        (other is not null &&
         string.Equals(Key, other.Key, StringComparison.Ordinal) &&
         SelectorSyntax.SequenceEqual(Values, other.Values));

    public override int GetHashCode() => HashCode.Combine(Key, SelectorSyntax.SequenceHash(Values));

    internal override void Write(StringBuilder sb)
    {
        sb.Append(Key).Append(" not in ");
        SelectorSyntax.WriteSet(sb, Values);
    }
}
