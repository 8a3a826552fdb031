namespace Palisade.Engine.Analysis.Classes;

/// <summary>The nonzero words of a set of classes: their indexes and their bits.</summary>
internal readonly record struct SparseSet(int[] Words, ulong[] Bits)
{
    /// <summary>The sparse set of classes listed in ascending order (built without a set of every class).</summary>
    public static SparseSet Of(List<int> ascending)
    {
        var words = new List<int>();
        var bits = new List<ulong>();
        foreach (var c in ascending)
        {
            if (words.Count == 0 || words[^1] != c >> 6)
            {
                words.Add(c >> 6);
                bits.Add(0);
            }

            bits[^1] |= 1UL << (c & 63);
        }

        return new SparseSet([.. words], [.. bits]);
    }
}
