namespace Palisade.Dataplane.Nftables.Model;

/// <summary>One statement of a rule (a match, counter, mark, log or verdict); <see cref="object.ToString"/> is its nft syntax.</summary>
public abstract record NftStatement
{
    public abstract override string ToString();
}
