using System.Collections.Immutable;

namespace Palisade.Model.Selectors;

/// <summary>One Kubernetes matchExpressions entry: key, operator and values.</summary>
public sealed record LabelSelectorRequirement(string Key, LabelSelectorOperator Operator, ImmutableArray<string> Values)
{
    /// <summary>The values as given (order kept for error paths); a default array reads as empty.</summary>
    public ImmutableArray<string> Values { get; init; } = Values.IsDefault ? [] : Values;

    public bool Equals(LabelSelectorRequirement? other) =>
        ReferenceEquals(this, other) ||
        (other is not null &&
         string.Equals(Key, other.Key, StringComparison.Ordinal) &&
         Operator == other.Operator &&
         SelectorSyntax.SequenceEqual(Values.IsDefault ? [] : Values, other.Values.IsDefault ? [] : other.Values));

    public override int GetHashCode() =>
        HashCode.Combine(Key, Operator, SelectorSyntax.SequenceHash(Values.IsDefault ? [] : Values));
}
