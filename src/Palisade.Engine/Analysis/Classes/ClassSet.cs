namespace Palisade.Engine.Analysis.Classes;

/// <summary>Sets of classes as bit arrays (one bit per class), the unit class analysis computes with.</summary>
internal static class ClassSet
{
    public static ulong[] New(int n) => new ulong[(n + 63) >> 6];

    public static void Set(ulong[] set, int i) => set[i >> 6] |= 1UL << (i & 63);

    public static void Clear(ulong[] set, int i) => set[i >> 6] &= ~(1UL << (i & 63));

    public static bool IsSet(ulong[] set, int i) => (set[i >> 6] & (1UL << (i & 63))) != 0;

    public static void Fill(ulong[] set, int n)
    {
        Array.Fill(set, ulong.MaxValue);
        if ((n & 63) != 0)
        {
            set[^1] = (1UL << (n & 63)) - 1;
        }
    }

    public static bool IsEmpty(ulong[] set)
    {
        foreach (var w in set)
        {
            if (w != 0)
            {
                return false;
            }
        }

        return true;
    }

    public static void Or(ulong[] target, ulong[] other)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] |= other[i];
        }
    }

    public static void And(ulong[] target, ulong[] other)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] &= other[i];
        }
    }
}
