using System.Collections.Immutable;
using System.Text;

namespace Palisade.Model.Selectors;

/// <summary>The lexical rules shared by the parser, the printer and the node constructors.</summary>
/// <remarks>
/// Nodes check their keys and values against these rules when built, so that every AST that exists can be printed
/// and re-parsed to itself; nothing downstream has to guess whether a selector is expressible.
/// </remarks>
internal static class SelectorSyntax
{
    /// <summary>Calico's tokenizer rejects longer label keys ("label too long").</summary>
    public const int MaxKeyLength = 512;

    /// <summary>Calico's label-key alphabet: ASCII letters, digits and <c>_ . / -</c>, in any order.</summary>
    public static bool IsKeyChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '/' or '-';

    /// <summary>Only space and tab separate tokens in Calico; a line break is an error, not whitespace.</summary>
    public static bool IsSpace(char c) => c is ' ' or '\t';

    public static string CheckKey(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        var error = KeyError(key);
        return error is null ? key : throw new ArgumentException($"label key '{key}' {error}", paramName);
    }

    public static string? KeyError(string key)
    {
        if (key.Length == 0)
        {
            return "must not be empty";
        }

        if (key.Length > MaxKeyLength)
        {
            return $"is longer than {MaxKeyLength} characters";
        }

        foreach (var c in key)
        {
            if (!IsKeyChar(c))
            {
                return "may contain only letters, digits, '_', '.', '/' and '-'";
            }
        }

        return null;
    }

    public static string CheckValue(string value, string paramName = "value")
    {
        ArgumentNullException.ThrowIfNull(value, paramName);

        // The grammar has no escapes: a literal is everything up to the next matching quote, so a value holding
        // both quote kinds has no spelling at all.
        if (value.Contains('\'', StringComparison.Ordinal) && value.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"label value {value} contains both ' and \", which a selector cannot quote", paramName);
        }

        return value;
    }

    /// <summary>Sorts (ordinal) and de-duplicates a value set, as Calico does, so equal sets are equal nodes.</summary>
    public static ImmutableArray<string> NormalizeSet(ImmutableArray<string> values, string paramName = "values")
    {
        if (values.IsDefaultOrEmpty)
        {
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<string>(values.Length);
        foreach (var v in values)
        {
            builder.Add(CheckValue(v, paramName));
        }

        builder.Sort(StringComparer.Ordinal);
        var write = 1;
        for (var read = 1; read < builder.Count; read++)
        {
            if (!string.Equals(builder[read], builder[write - 1], StringComparison.Ordinal))
            {
                builder[write++] = builder[read];
            }
        }

        builder.Count = write;
        return builder.DrainToImmutable();
    }

    /// <summary>Single quotes by default (the documented style); double quotes only when the value needs them.</summary>
    public static void WriteQuoted(StringBuilder sb, string value)
    {
        var quote = value.Contains('\'', StringComparison.Ordinal) ? '"' : '\'';
        sb.Append(quote).Append(value).Append(quote);
    }

    public static void WriteSet(StringBuilder sb, ImmutableArray<string> values)
    {
        sb.Append('{');
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            WriteQuoted(sb, values[i]);
        }

        sb.Append('}');
    }

    public static bool SetContains(ImmutableArray<string> sortedValues, string value)
    {
        // Sets are small and sorted; a binary search with the ordinal comparer allocates nothing.
        var lo = 0;
        var hi = sortedValues.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var cmp = string.CompareOrdinal(sortedValues[mid], value);
            if (cmp == 0)
            {
                return true;
            }

            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return false;
    }

    public static bool SequenceEqual<T>(ImmutableArray<T> a, ImmutableArray<T> b)
        where T : IEquatable<T>
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static int SequenceHash<T>(ImmutableArray<T> items)
    {
        var h = new HashCode();
        h.Add(items.Length);
        foreach (var item in items)
        {
            h.Add(item);
        }

        return h.ToHashCode();
    }
}
