using System.Net;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>An address prefix (<c>10.0.0.0/8</c>): matches every address in it.</summary>
public sealed record NftPrefix(IPNetwork Network) : NftValue
{
    public override string ToString() => Network.ToString();
}
