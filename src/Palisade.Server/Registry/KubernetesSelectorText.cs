using Palisade.Model;
using Palisade.Model.Selectors;
using Palisade.Server.Api;

namespace Palisade.Server.Registry;

/// <summary>
/// Parses a label selector as Kubernetes writes it in a query (<c>app=web,tier in (a,b),!legacy,env!=prod</c>) into the
/// model's one selector form, with Kubernetes' meaning: every term must hold; <c>!=</c> and <c>notin</c> hold when the
/// key is absent.
/// </summary>
internal static class KubernetesSelectorText
{
    public static Selector Parse(string text)
    {
        var terms = new List<Selector>();
        foreach (var raw in SplitTerms(text))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            terms.Add(ParseTerm(term, text));
        }

        return terms.Count == 0 ? Selector.All : Selector.And(terms);
    }

    private static Selector ParseTerm(string term, string text)
    {
        if (term.StartsWith('!'))
        {
            return Selector.Not(Selector.Has(Key(term[1..].Trim(), text)));
        }

        var words = term.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 2 && (words[1].StartsWith("in ", StringComparison.Ordinal) || words[1].StartsWith("in(", StringComparison.Ordinal) ||
                                  words[1].StartsWith("notin", StringComparison.Ordinal)))
        {
            var notIn = words[1].StartsWith("notin", StringComparison.Ordinal);
            var set = words[1][(notIn ? 5 : 2)..].Trim();
            if (!set.StartsWith('(') || !set.EndsWith(')'))
            {
                throw Bad(text, $"'{term}': expected a set of values in parentheses");
            }

            var values = set[1..^1].Split(',', StringSplitOptions.TrimEntries).Select(v => Value(v, text)).ToList();
            var key = Key(words[0], text);
            return notIn ? Selector.NotIn(key, values) : Selector.In(key, values);
        }

        foreach (var op in new[] { "!=", "==", "=" })
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = Key(term[..at].Trim(), text);
                var value = Value(term[(at + op.Length)..].Trim(), text);
                return op == "!=" ? Selector.NotEqual(key, value) : Selector.Equal(key, value);
            }
        }

        return Selector.Has(Key(term, text));
    }

    /// <summary>Splits at commas outside parentheses.</summary>
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static string Key(string key, string text) =>
        LabelSyntax.KeyError(key) is { } error ? throw Bad(text, $"key '{key}' {error}") : key;

    private static string Value(string value, string text) =>
        LabelSyntax.ValueError(value) is { } error ? throw Bad(text, $"value '{value}' {error}") : value;

    private static ApiException Bad(string text, string why) => ApiException.BadRequest($"unable to parse requirement: labelSelector \"{text}\": {why}");
}
