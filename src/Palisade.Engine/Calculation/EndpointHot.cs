namespace Palisade.Engine.Calculation;

/// <summary>
/// What the fast path reads of an endpoint, in one dense array indexed by handle (32 bytes per endpoint, no object
/// hop): its address word with the host-network and identity bits, its list's programs, and its identity's peer
/// block (the sorted peer selectors after their signature).
/// </summary>
internal struct EndpointHot
{
    /// <summary>
    /// The address word as rules naming IPv4 blocks read it (<see cref="EndpointAddress.AddressKind"/> in bits 32–33, an IPv4
    /// address in host order below), <see cref="EndpointAddress.HostNetworkBit"/>, and <see cref="EndpointAddress.IdentityBit"/> when the endpoint
    /// has an identity (is a selector member): one word, so that the remote end's address comes with its entry.
    /// </summary>
    public ulong Word;
    public ProgramRef[] IngressProgram;
    public ProgramRef[] EgressProgram;
    /// <summary>The identity's peer block (<see cref="TierProgram.PeerBlockHeader"/>): its peer selectors' signature, then the selectors.</summary>
    public int[] Matchers;
}
