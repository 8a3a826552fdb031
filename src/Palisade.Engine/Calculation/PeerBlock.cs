namespace Palisade.Engine.Calculation;

/// <summary>A shared peer block (<see cref="TierProgram.PeerBlockHeader"/>) and how many identities hold it; packing moves its words to a copy.</summary>
internal sealed class PeerBlock(int[] words)
{
    public int[] Words = words;
    public int Uses;

    /// <summary>Set once <see cref="Words"/> has been copied into the dense layout after a load.</summary>
    public bool Packed;

    /// <summary>Peer blocks compared by content, hashed by their signature and length (no pass over their selectors); found by a span of words.</summary>
    internal sealed class Comparer : IEqualityComparer<PeerBlock>, IAlternateEqualityComparer<ReadOnlySpan<int>, PeerBlock>
    {
        public static readonly Comparer Instance = new();

        public bool Equals(PeerBlock? x, PeerBlock? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.Words.AsSpan().SequenceEqual(y.Words));

        public int GetHashCode(PeerBlock block) => GetHashCode(block.Words);

        public bool Equals(ReadOnlySpan<int> alternate, PeerBlock other) => alternate.SequenceEqual(other.Words);

        public int GetHashCode(ReadOnlySpan<int> alternate) => HashCode.Combine(alternate[0], alternate[1], alternate[2], alternate[3], alternate.Length);

        public PeerBlock Create(ReadOnlySpan<int> alternate) => new(alternate.ToArray());
    }
}
