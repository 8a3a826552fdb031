using System.Numerics;
using System.Security.Cryptography;

namespace Palisade.Audit;

/// <summary>
/// The Merkle tree of RFC 6962 / RFC 9162 (section 2.1) over SHA-256: leaf and node hashes with their domain
/// separation bytes, the tree head of any prefix of the leaves, and inclusion and consistency proofs — made and checked
/// exactly as the RFC describes them, so Certificate Transparency and Go's tlog tools agree with us byte for byte.
/// </summary>
public static class MerkleTree
{
    /// <summary>SHA-256 of the empty string: the head of a tree with no leaves.</summary>
    public static byte[] EmptyRoot { get; } = SHA256.HashData([]);

    /// <summary>HASH(0x00 || data).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[data.Length + 1];
        data.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>HASH(0x01 || left || right).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 32 + 32];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[33..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>MTH(D[0:n]) for the first <paramref name="size"/> leaf hashes.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes, long size)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, leafHashes.Count);
        return size == 0 ? EmptyRoot : Range(leafHashes, 0, size);
    }

    /// <summary>PATH(m, D[n]): the audit path of leaf <paramref name="index"/> in the tree of the first <paramref name="size"/> leaves.</summary>
    public static List<byte[]> InclusionProof(IReadOnlyList<byte[]> leafHashes, long index, long size)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        if (index < 0 || index >= size || size > leafHashes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"leaf {index} is not in a tree of {size} leaves");
        }

        var proof = new List<byte[]>();
        Path(leafHashes, index, 0, size, proof);
        return proof;
    }

    /// <summary>PROOF(m, D[n]): proves the tree of the first <paramref name="oldSize"/> leaves is a prefix of the tree of <paramref name="newSize"/>.</summary>
    public static List<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leafHashes, long oldSize, long newSize)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        if (oldSize < 0 || oldSize > newSize || newSize > leafHashes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(oldSize), $"no consistency proof from {oldSize} to {newSize} leaves");
        }

        var proof = new List<byte[]>();
        if (oldSize > 0 && oldSize < newSize)
        {
            SubProof(leafHashes, oldSize, 0, newSize, true, proof);
        }

        return proof;
    }

    /// <summary>RFC 9162 section 2.1.3.2: does <paramref name="proof"/> put <paramref name="leafHash"/> at <paramref name="index"/> under <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (index < 0 || index >= size)
        {
            return false;
        }

        var (fn, sn) = (index, size - 1);
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    ShiftWhileEven(ref fn, ref sn);
                }
            }
            else
            {
                r = NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162 section 2.1.4.2: is the tree with head <paramref name="newRoot"/> an extension of the one with <paramref name="oldRoot"/>?</summary>
    public static bool VerifyConsistency(long oldSize, long newSize, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (oldSize < 0 || oldSize > newSize)
        {
            return false;
        }

        if (oldSize == newSize)
        {
            return proof.Count == 0 && oldRoot.SequenceEqual(newRoot);
        }

        if (oldSize == 0)
        {
            return proof.Count == 0; // the empty tree is a prefix of every tree
        }

        var path = new List<byte[]>(proof);
        if (path.Count == 0)
        {
            return false;
        }

        if (BitOperations.IsPow2(oldSize))
        {
            path.Insert(0, oldRoot.ToArray());
        }

        var (fn, sn) = (oldSize - 1, newSize - 1);
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var (fr, sr) = (path[0], path[0]);
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                {
                    ShiftWhileEven(ref fn, ref sn);
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fr.AsSpan().SequenceEqual(oldRoot) && sr.AsSpan().SequenceEqual(newRoot);
    }

    /// <summary>Right-shifts both until the low bit of <paramref name="fn"/> is set or it is 0.</summary>
    private static void ShiftWhileEven(ref long fn, ref long sn)
    {
        while ((fn & 1) == 0 && fn != 0)
        {
            fn >>= 1;
            sn >>= 1;
        }
    }

    /// <summary>The largest power of two below <paramref name="n"/> (n ≥ 2).</summary>
    private static long Split(long n) => (long)BitOperations.RoundUpToPowerOf2((ulong)n) >> 1;

    private static byte[] Range(IReadOnlyList<byte[]> leaves, long from, long to)
    {
        if (to - from == 1)
        {
            return leaves[(int)from];
        }

        var k = Split(to - from);
        return NodeHash(Range(leaves, from, from + k), Range(leaves, from + k, to));
    }

    private static void Path(IReadOnlyList<byte[]> leaves, long m, long from, long to, List<byte[]> proof)
    {
        if (to - from <= 1)
        {
            return;
        }

        var k = Split(to - from);
        if (m < k)
        {
            Path(leaves, m, from, from + k, proof);
            proof.Add(Range(leaves, from + k, to));
        }
        else
        {
            Path(leaves, m - k, from + k, to, proof);
            proof.Add(Range(leaves, from, from + k));
        }
    }

    private static void SubProof(IReadOnlyList<byte[]> leaves, long m, long from, long to, bool whole, List<byte[]> proof)
    {
        var n = to - from;
        if (m == n)
        {
            if (!whole)
            {
                proof.Add(Range(leaves, from, to));
            }

            return;
        }

        var k = Split(n);
        if (m <= k)
        {
            SubProof(leaves, m, from, from + k, whole, proof);
            proof.Add(Range(leaves, from + k, to));
        }
        else
        {
            SubProof(leaves, m - k, from + k, to, false, proof);
            proof.Add(Range(leaves, from, from + k));
        }
    }
}
