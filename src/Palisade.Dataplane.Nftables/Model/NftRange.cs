namespace Palisade.Dataplane.Nftables.Model;

/// <summary>An inclusive range of numbers (<c>8000-8080</c>).</summary>
public sealed record NftRange(uint First, uint Last) : NftValue
{
    public override string ToString() => $"{First}-{Last}";
}
