using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A concatenation of values, matched against a concatenation of fields (<c>ifname . address</c>).</summary>
public sealed record NftConcat(EquatableArray<NftValue> Parts) : NftValue
{
    public override string ToString() => string.Join(" . ", Parts);
}
