using System.Net;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>One IPv4 or IPv6 address.</summary>
public sealed record NftAddress(IPAddress Address) : NftValue
{
    public override string ToString() => Address.ToString();
}
