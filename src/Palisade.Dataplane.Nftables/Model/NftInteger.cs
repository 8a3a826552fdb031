using System.Globalization;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A number: a port, an ICMP type or code, a mark.</summary>
public sealed record NftInteger(uint Value, NftIntegerFormat Format = NftIntegerFormat.Decimal) : NftValue
{
    /// <summary>A mark, written as nft lists it back (<c>0x5</c>).</summary>
    public static NftInteger Mark(uint value) => new(value, NftIntegerFormat.Hex);

    public override string ToString() => Format switch
    {
        NftIntegerFormat.Hex => "0x" + Value.ToString("x", CultureInfo.InvariantCulture),
        NftIntegerFormat.Hex8 => "0x" + Value.ToString("x8", CultureInfo.InvariantCulture),
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}
