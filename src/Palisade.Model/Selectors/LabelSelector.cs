using System.Collections.Immutable;

namespace Palisade.Model.Selectors;

/// <summary>A Kubernetes LabelSelector (matchLabels and matchExpressions), compiled by <see cref="ToSelector"/>.</summary>
/// <remarks>
/// Semantics are those of Kubernetes apimachinery: every term must hold; <c>NotIn</c> and <c>DoesNotExist</c> hold
/// when the key is absent; an empty LabelSelector selects everything.
/// </remarks>
public sealed record LabelSelector(
    ImmutableSortedDictionary<string, string> MatchLabels,
    ImmutableArray<LabelSelectorRequirement> MatchExpressions)
{
    private readonly ImmutableSortedDictionary<string, string> matchLabels = NormalizeLabels(MatchLabels);
    private readonly ImmutableArray<LabelSelectorRequirement> matchExpressions = NormalizeExpressions(MatchExpressions);

    /// <summary>The selector with no terms, which selects everything.</summary>
    public static LabelSelector Empty { get; } = new(ImmutableSortedDictionary<string, string>.Empty, []);

    /// <summary>Equality terms, ordered by key (ordinal) whatever comparer they came with.</summary>
    public ImmutableSortedDictionary<string, string> MatchLabels
    {
        get => matchLabels;
        init => matchLabels = NormalizeLabels(value);
    }

    /// <summary>Requirement terms in the order given; a default array reads as empty.</summary>
    public ImmutableArray<LabelSelectorRequirement> MatchExpressions
    {
        get => matchExpressions;
        init => matchExpressions = NormalizeExpressions(value);
    }

    /// <summary>
    /// What keeps this selector from compiling, one message per problem, each led by its field path
    /// (<c>matchExpressions[1].values</c>); empty when valid.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (key, value) in MatchLabels)
        {
            if (LabelSyntax.KeyError(key) is { } keyError)
            {
                errors.Add($"matchLabels: key '{key}' {keyError}");
            }

            if (value is null)
            {
                errors.Add($"matchLabels[{key}]: value must not be null");
            }
            else if (LabelSyntax.ValueError(value) is { } valueError)
            {
                errors.Add($"matchLabels[{key}]: value '{value}' {valueError}");
            }
        }

        for (var i = 0; i < MatchExpressions.Length; i++)
        {
            var path = $"matchExpressions[{i}]";
            var requirement = MatchExpressions[i];
            if (requirement is null)
            {
                errors.Add($"{path}: must not be null");
                continue;
            }

            if (requirement.Key is null)
            {
                errors.Add($"{path}.key: must not be null");
            }
            else if (LabelSyntax.KeyError(requirement.Key) is { } keyError)
            {
                errors.Add($"{path}.key: '{requirement.Key}' {keyError}");
            }

            switch (requirement.Operator)
            {
                case LabelSelectorOperator.In or LabelSelectorOperator.NotIn:
                    if (requirement.Values.IsEmpty)
                    {
                        errors.Add($"{path}.values: must be non-empty when operator is {requirement.Operator}");
                    }

                    break;
                case LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist:
                    if (!requirement.Values.IsEmpty)
                    {
                        errors.Add($"{path}.values: must be empty when operator is {requirement.Operator}");
                    }

                    break;
                default:
                    errors.Add($"{path}.operator: '{requirement.Operator}' is not In, NotIn, Exists or DoesNotExist");
                    break;
            }

            var values = requirement.Values;
            for (var j = 0; j < values.Length; j++)
            {
                if (values[j] is null)
                {
                    errors.Add($"{path}.values[{j}]: must not be null");
                }
                else if (LabelSyntax.ValueError(values[j]) is { } valueError)
                {
                    errors.Add($"{path}.values[{j}]: '{values[j]}' {valueError}");
                }
            }
        }

        return errors;
    }

    /// <summary>Compiles to the selector AST: every term ANDed, matchLabels first (by key), then matchExpressions.</summary>
    /// <exception cref="InvalidOperationException">The selector breaks a Kubernetes rule; see <see cref="Validate"/>.</exception>
    public Selector ToSelector()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("invalid label selector: " + string.Join("; ", errors));
        }

        var terms = ImmutableArray.CreateBuilder<Selector>(MatchLabels.Count + MatchExpressions.Length);
        foreach (var (key, value) in MatchLabels)
        {
            terms.Add(new EqualSelector(key, value));
        }

        foreach (var requirement in MatchExpressions)
        {
            terms.Add(requirement.Operator switch
            {
                LabelSelectorOperator.In => new InSelector(requirement.Key, requirement.Values),
                LabelSelectorOperator.NotIn => new NotInSelector(requirement.Key, requirement.Values),
                LabelSelectorOperator.Exists => new HasSelector(requirement.Key),
                _ => new NotSelector(new HasSelector(requirement.Key)),
            });
        }

        return terms.Count switch
        {
            0 => Selector.All,
            1 => terms[0],
            _ => new AndSelector(terms.DrainToImmutable()),
        };
    }

    /// <summary>Prints in kubectl's selector syntax, terms comma-separated: <c>app=web,tier in (cache),!canary</c>.</summary>
    public override string ToString() =>
        string.Join(',', MatchLabels.Select(p => $"{p.Key}={p.Value}").Concat(MatchExpressions.Select(r => r.ToString())));

    public bool Equals(LabelSelector? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.MatchLabels.Count != MatchLabels.Count ||
            !SelectorSyntax.SequenceEqual(MatchExpressions, other.MatchExpressions))
        {
            return false;
        }

        // Both dictionaries are ordinal-sorted, so equal maps enumerate in the same order.
        using var mine = MatchLabels.GetEnumerator();
        using var theirs = other.MatchLabels.GetEnumerator();
        while (mine.MoveNext() && theirs.MoveNext())
        {
            if (!string.Equals(mine.Current.Key, theirs.Current.Key, StringComparison.Ordinal) ||
                !string.Equals(mine.Current.Value, theirs.Current.Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var (key, value) in MatchLabels)
        {
            h.Add(key, StringComparer.Ordinal);
            h.Add(value, StringComparer.Ordinal);
        }

        h.Add(SelectorSyntax.SequenceHash(MatchExpressions));
        return h.ToHashCode();
    }

    private static ImmutableSortedDictionary<string, string> NormalizeLabels(ImmutableSortedDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return ImmutableSortedDictionary<string, string>.Empty;
        }

        return ReferenceEquals(labels.KeyComparer, StringComparer.Ordinal) &&
               ReferenceEquals(labels.ValueComparer, StringComparer.Ordinal)
            ? labels
            : labels.WithComparers(StringComparer.Ordinal, StringComparer.Ordinal);
    }

    private static ImmutableArray<LabelSelectorRequirement> NormalizeExpressions(
        ImmutableArray<LabelSelectorRequirement> expressions) => expressions.IsDefault ? [] : expressions;
}
