namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A lookup in a named set of the table (<c>@sel-3-v4</c>): matches when the key is an element.</summary>
public sealed record NftSetRef(string Set) : NftValue
{
    public override string ToString() => "@" + Set;
}
