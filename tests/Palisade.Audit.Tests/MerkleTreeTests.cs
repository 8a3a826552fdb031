using FsCheck;
using FsCheck.Xunit;

namespace Palisade.Audit.Tests;

/// <summary>The RFC 6962 tree against the test vectors Certificate Transparency and Go's tlog share, and proofs by property.</summary>
public sealed class MerkleTreeTests
{
    // The eight leaves and the heads of each prefix, from the RFC 6962 test vectors.
    private static readonly string[] Leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static readonly List<byte[]> LeafHashes = [.. Leaves.Select(l => MerkleTree.LeafHash(Convert.FromHexString(l)))];

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    [Fact]
    public void Roots_OfEveryPrefix_AreTheVectors()
    {
        for (var n = 1; n <= 8; n++)
        {
            Assert.Equal(Roots[n - 1], Convert.ToHexStringLower(MerkleTree.Root(LeafHashes, n)));
        }

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleTree.Root(LeafHashes, 0)));
    }

    [Fact]
    public void InclusionProof_OfLeaf5In8_IsTheVector_AndVerifiesOnlyAtItsIndex()
    {
        string[] expected = ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"];

        var proof = MerkleTree.InclusionProof(LeafHashes, 5, 8);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        Assert.True(MerkleTree.VerifyInclusion(5, 8, LeafHashes[5], proof, H(Roots[7])));
        Assert.False(MerkleTree.VerifyInclusion(4, 8, LeafHashes[5], proof, H(Roots[7])));
        Assert.True(MerkleTree.VerifyInclusion(2, 3, LeafHashes[2], [H(Roots[1])], H(Roots[2])));
    }

    [Fact]
    public void ConsistencyProofs_AreTheVectors_AndAWrongOldHeadFails()
    {
        string[] sixToEight = ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"];
        string[] twoToFive = ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"];

        Assert.Equal(sixToEight, MerkleTree.ConsistencyProof(LeafHashes, 6, 8).Select(Convert.ToHexStringLower));
        Assert.Equal(twoToFive, MerkleTree.ConsistencyProof(LeafHashes, 2, 5).Select(Convert.ToHexStringLower));
        Assert.True(MerkleTree.VerifyConsistency(6, 8, [.. sixToEight.Select(H)], H(Roots[5]), H(Roots[7])));
        Assert.False(MerkleTree.VerifyConsistency(6, 8, [.. sixToEight.Select(H)], H(Roots[4]), H(Roots[7])));
        Assert.True(MerkleTree.VerifyConsistency(2, 5, [.. twoToFive.Select(H)], H(Roots[1]), H(Roots[4])));
    }

    [Property(MaxTest = 200)]
    public bool EveryInclusionProof_Verifies_AndFailsForAnyOtherLeaf(PositiveInt sizeSeed, NonNegativeInt indexSeed)
    {
        var size = (sizeSeed.Get % 70) + 1;
        var index = indexSeed.Get % size;
        var leaves = Enumerable.Range(0, size).Select(i => MerkleTree.LeafHash(BitConverter.GetBytes(i))).ToList();
        var root = MerkleTree.Root(leaves, size);
        var proof = MerkleTree.InclusionProof(leaves, index, size);
        var other = MerkleTree.LeafHash([9, 9, 9]);
        return MerkleTree.VerifyInclusion(index, size, leaves[index], proof, root)
            && !MerkleTree.VerifyInclusion(index, size, other, proof, root)
            && (size == 1 || !MerkleTree.VerifyInclusion((index + 1) % size, size, leaves[index], proof, root));
    }

    [Property(MaxTest = 200)]
    public bool EveryConsistencyProof_Verifies_AndFailsWhenHistoryWasRewritten(PositiveInt oldSeed, PositiveInt grow)
    {
        var oldSize = (oldSeed.Get % 50) + 1;
        var newSize = oldSize + (grow.Get % 30);
        var leaves = Enumerable.Range(0, newSize).Select(i => MerkleTree.LeafHash(BitConverter.GetBytes(i))).ToList();
        var proof = MerkleTree.ConsistencyProof(leaves, oldSize, newSize);
        var oldRoot = MerkleTree.Root(leaves, oldSize);
        var newRoot = MerkleTree.Root(leaves, newSize);

        // A log that rewrote one old entry cannot prove itself an extension of the old head.
        var rewritten = leaves.ToList();
        rewritten[oldSize / 2] = MerkleTree.LeafHash([7]);
        var forgedRoot = MerkleTree.Root(rewritten, newSize);
        var forgedProof = MerkleTree.ConsistencyProof(rewritten, oldSize, newSize);
        return MerkleTree.VerifyConsistency(oldSize, newSize, proof, oldRoot, newRoot)
            && !MerkleTree.VerifyConsistency(oldSize, newSize, forgedProof, oldRoot, forgedRoot);
    }
}
