namespace Palisade.Dataplane.Nftables.Model;

/// <summary>Conntrack states; a match on several holds when the connection is in any of them.</summary>
[Flags]
public enum NftCtStates
{
    None = 0,
    Invalid = 1,
    Established = 2,
    Related = 4,
    New = 8,
}
