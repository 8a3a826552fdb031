using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Palisade.Model;

/// <summary>An immutable set of labels (key → value) with value equality, the identity of a workload.</summary>
/// <remarks>
/// Keys are kept sorted (ordinal) so that two sets with the same labels are equal, hash alike and print alike,
/// whatever order they were read in. Lookups are binary searches: label sets are small (typically under 20).
/// </remarks>
public sealed class LabelSet : IReadOnlyDictionary<string, string>, IEquatable<LabelSet>
{
    private readonly string[] keys;
    private readonly string[] values;
    private readonly int hash;

    /// <summary>The set with no labels.</summary>
    public static LabelSet Empty { get; } = new([], []);

    private LabelSet(string[] keys, string[] values)
    {
        this.keys = keys;
        this.values = values;
        var h = new HashCode();
        for (var i = 0; i < keys.Length; i++)
        {
            h.Add(keys[i], StringComparer.Ordinal);
            h.Add(values[i], StringComparer.Ordinal);
        }

        hash = h.ToHashCode();
    }

    /// <summary>Builds a set from pairs; a key given twice keeps its last value.</summary>
    public static LabelSet From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs)
        {
            sorted[k] = v;
        }

        return sorted.Count == 0 ? Empty : new LabelSet([.. sorted.Keys], [.. sorted.Values]);
    }

    /// <summary>Builds a set from alternating keys and values: <c>LabelSet.Of("app", "web", "tier", "fe")</c>.</summary>
    public static LabelSet Of(params string[] keysAndValues)
    {
        ArgumentNullException.ThrowIfNull(keysAndValues);
        if (keysAndValues.Length % 2 != 0)
        {
            throw new ArgumentException("expected key/value pairs", nameof(keysAndValues));
        }

        var pairs = new List<KeyValuePair<string, string>>(keysAndValues.Length / 2);
        for (var i = 0; i < keysAndValues.Length; i += 2)
        {
            pairs.Add(new(keysAndValues[i], keysAndValues[i + 1]));
        }

        return From(pairs);
    }

    /// <summary>
    /// The union of several sets, the later winning where keys repeat: a merge of sorted arrays, for building derived
    /// label views (such as Calico's inherited labels) without re-sorting.
    /// </summary>
    public static LabelSet Merge(LabelSet first, LabelSet second, LabelSet third)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(third);
        var keys = new List<string>(first.Count + second.Count + third.Count);
        var values = new List<string>(keys.Capacity);
        int i = 0, j = 0, k = 0;
        while (i < first.keys.Length || j < second.keys.Length || k < third.keys.Length)
        {
            string? min = null;
            if (i < first.keys.Length)
            {
                min = first.keys[i];
            }

            if (j < second.keys.Length && (min is null || string.CompareOrdinal(second.keys[j], min) < 0))
            {
                min = second.keys[j];
            }

            if (k < third.keys.Length && (min is null || string.CompareOrdinal(third.keys[k], min) < 0))
            {
                min = third.keys[k];
            }

            string value = string.Empty;
            if (i < first.keys.Length && first.keys[i] == min)
            {
                value = first.values[i++];
            }

            if (j < second.keys.Length && second.keys[j] == min)
            {
                value = second.values[j++];
            }

            if (k < third.keys.Length && third.keys[k] == min)
            {
                value = third.values[k++];
            }

            keys.Add(min!);
            values.Add(value);
        }

        return keys.Count == 0 ? Empty : new LabelSet([.. keys], [.. values]);
    }

    /// <summary>A copy with every key prefixed (Calico's <c>pcns.</c> and <c>pcsa.</c> inherited labels).</summary>
    public LabelSet WithPrefix(string prefix)
    {
        var k = new string[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            k[i] = prefix + keys[i];
        }

        // A common prefix keeps the ordinal order of the keys.
        return keys.Length == 0 ? Empty : new LabelSet(k, (string[])values.Clone());
    }

    /// <summary>A copy with one label set (added or replaced).</summary>
    public LabelSet With(string key, string value) =>
        From(this.Where(p => !string.Equals(p.Key, key, StringComparison.Ordinal)).Append(new(key, value)));

    public int Count => keys.Length;

    public IEnumerable<string> Keys => keys;

    public IEnumerable<string> Values => values;

    public string this[string key] =>
        TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"no label '{key}'");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            value = null;
            return false;
        }

        value = values[i];
        return true;
    }

    private int IndexOf(string key) => Array.BinarySearch(keys, key, StringComparer.Ordinal);

    /// <summary>The labels in key order; a struct, so that a <c>foreach</c> over a label set allocates nothing.</summary>
    public Enumerator GetEnumerator() => new(keys, values);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Walks a label set's keys and values in key order.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly string[] keys;
        private readonly string[] values;
        private int index;

        internal Enumerator(string[] keys, string[] values) => (this.keys, this.values, index) = (keys, values, -1);

        public readonly KeyValuePair<string, string> Current => new(keys[index], values[index]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++index < keys.Length;

        public void Reset() => index = -1;

        public readonly void Dispose()
        {
        }
    }

    public bool Equals(LabelSet? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.hash != hash || other.keys.Length != keys.Length)
        {
            return false;
        }

        for (var i = 0; i < keys.Length; i++)
        {
            if (!string.Equals(keys[i], other.keys[i], StringComparison.Ordinal) ||
                !string.Equals(values[i], other.values[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    public override int GetHashCode() => hash;

    /// <summary>Prints as <c>{app=web, tier=fe}</c>.</summary>
    public override string ToString() => "{" + string.Join(", ", this.Select(p => $"{p.Key}={p.Value}")) + "}";
}
