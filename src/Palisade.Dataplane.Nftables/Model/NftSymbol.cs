namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A named constant of a field: <c>ipv4</c>/<c>ipv6</c> for nfproto, <c>original</c>/<c>reply</c> for ct direction.</summary>
public sealed record NftSymbol(string Name) : NftValue
{
    public static readonly NftSymbol Ipv4 = new("ipv4");
    public static readonly NftSymbol Ipv6 = new("ipv6");
    public static readonly NftSymbol Original = new("original");
    public static readonly NftSymbol Reply = new("reply");

    public override string ToString() => Name;
}
