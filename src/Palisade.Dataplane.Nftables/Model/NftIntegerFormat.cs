namespace Palisade.Dataplane.Nftables.Model;

/// <summary>How an integer is written: ports in decimal, marks in hexadecimal (the generation padded to 8 digits).</summary>
public enum NftIntegerFormat
{
    Decimal,
    Hex,
    Hex8,
}
