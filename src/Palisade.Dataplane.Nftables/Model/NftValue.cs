namespace Palisade.Dataplane.Nftables.Model;

/// <summary>
/// A value a match compares a field with (a number, address, prefix, range, name, a concatenation of those, or a set);
/// its <see cref="object.ToString"/> is its nft syntax, used only when a transaction is serialized.
/// </summary>
public abstract record NftValue
{
    public abstract override string ToString();
}
