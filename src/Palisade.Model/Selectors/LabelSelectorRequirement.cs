using System.Collections.Immutable;

namespace Palisade.Model.Selectors;

/// <summary>One Kubernetes matchExpressions entry: key, operator and values.</summary>
public sealed record LabelSelectorRequirement(string Key, LabelSelectorOperator Operator, ImmutableArray<string> Values)
{
    private readonly ImmutableArray<string> values = Values.IsDefault ? [] : Values;

    /// <summary>The values as given, order kept so errors can name them by index; a default array reads as empty.</summary>
    public ImmutableArray<string> Values
    {
        get => values;
        init => values = value.IsDefault ? [] : value;
    }

    public bool Equals(LabelSelectorRequirement? other) =>
        ReferenceEquals(this, other) ||
        (other is not null &&
         string.Equals(Key, other.Key, StringComparison.Ordinal) &&
         Operator == other.Operator &&
         SelectorSyntax.SequenceEqual(Values, other.Values));

    public override int GetHashCode() => HashCode.Combine(Key, Operator, SelectorSyntax.SequenceHash(Values));

    /// <summary>Prints in kubectl's selector syntax: <c>tier in (cache)</c>, <c>tier notin (a,b)</c>, <c>k</c>, <c>!k</c>.</summary>
    public override string ToString() => Operator switch
    {
        LabelSelectorOperator.In => $"{Key} in ({string.Join(',', Values)})",
        LabelSelectorOperator.NotIn => $"{Key} notin ({string.Join(',', Values)})",
        LabelSelectorOperator.Exists => Key,
        LabelSelectorOperator.DoesNotExist => "!" + Key,
        _ => $"{Key} {Operator} ({string.Join(',', Values)})",
    };
}
