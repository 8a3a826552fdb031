using System.Collections;

namespace Palisade.Engine.Calculation;

/// <summary>
/// A set of ints for the engine's many small sets (an identity's endpoints and selectors, a selector's members, the
/// indexes by namespace and label): up to <see cref="SmallLimit"/> items in one array, searched in order; past that, a
/// hash set. At the antrea shape there are 350k such sets, nearly all of one to four items: as hash sets they took
/// three objects and about 150 bytes each, here two objects and 56-72 bytes.
/// </summary>
/// <remarks>
/// Items enumerate in the order they were added while the set is small (a removal keeps the order of the rest), then
/// in the hash set's order. Like <see cref="HashSet{T}"/>, a set must not be changed while it is enumerated.
/// </remarks>
internal sealed class IntSet : IReadOnlyCollection<int>
{
    /// <summary>Sets up to this size are kept as an array; a set that grows past it becomes a hash set for good.</summary>
    public const int SmallLimit = 16;

    private int[]? small;
    private int count;
    private HashSet<int>? large;

    public int Count => large?.Count ?? count;

    /// <summary>Files <paramref name="id"/> under <paramref name="key"/> in an index of sets (the set made when new).</summary>
    public static void File<TKey>(Dictionary<TKey, IntSet> index, TKey key, int id)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var set))
        {
            index[key] = set = [];
        }

        set.Add(id);
    }

    /// <summary>Takes <paramref name="id"/> out from under <paramref name="key"/> (the set dropped once empty).</summary>
    public static void Unfile<TKey>(Dictionary<TKey, IntSet> index, TKey key, int id)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var set) && set.Remove(id) && set.Count == 0)
        {
            index.Remove(key);
        }
    }

    public bool Contains(int item)
    {
        if (large is not null)
        {
            return large.Contains(item);
        }

        return small is not null && Array.IndexOf(small, item, 0, count) >= 0;
    }

    /// <summary>Adds <paramref name="item"/>; false when it was in the set already.</summary>
    public bool Add(int item)
    {
        if (large is not null)
        {
            return large.Add(item);
        }

        if (small is null)
        {
            small = new int[2];
        }
        else if (Array.IndexOf(small, item, 0, count) >= 0)
        {
            return false;
        }
        else if (count == small.Length)
        {
            if (count == SmallLimit)
            {
                large = new HashSet<int>(SmallLimit * 2);
                for (var i = 0; i < count; i++)
                {
                    large.Add(small[i]);
                }

                small = null;
                count = 0;
                return large.Add(item);
            }

            Array.Resize(ref small, Math.Min(SmallLimit, count * 2));
        }

        small[count++] = item;
        return true;
    }

    /// <summary>Removes <paramref name="item"/>; false when it was not in the set.</summary>
    public bool Remove(int item)
    {
        if (large is not null)
        {
            return large.Remove(item);
        }

        var at = small is null ? -1 : Array.IndexOf(small, item, 0, count);
        if (at < 0)
        {
            return false;
        }

        count--;
        Array.Copy(small!, at + 1, small!, at, count - at);
        return true;
    }

    public int[] ToArray()
    {
        if (large is not null)
        {
            var items = new int[large.Count];
            large.CopyTo(items);
            return items;
        }

        return count == 0 ? [] : small.AsSpan(0, count).ToArray();
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<int> IEnumerable<int>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates without allocating (in a <c>foreach</c> over the set itself).</summary>
    public struct Enumerator : IEnumerator<int>
    {
        private readonly int[]? small;
        private readonly int count;
        private HashSet<int>.Enumerator large;
        private readonly bool isLarge;
        private int index;

        internal Enumerator(IntSet set)
        {
            small = set.small;
            count = set.count;
            isLarge = set.large is not null;
            large = isLarge ? set.large!.GetEnumerator() : default;
            index = -1;
        }

        public readonly int Current => isLarge ? large.Current : small![index];

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => isLarge ? large.MoveNext() : ++index < count;

        public void Reset() => throw new NotSupportedException();

        public readonly void Dispose()
        {
        }
    }
}
