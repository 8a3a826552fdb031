using System.Globalization;

namespace Palisade.Model;

/// <summary>An IP protocol by its IANA number, printed by name where it has one.</summary>
public readonly record struct Protocol(byte Number)
{
    public static Protocol Icmp => new(1);

    public static Protocol Tcp => new(6);

    public static Protocol Udp => new(17);

    public static Protocol IcmpV6 => new(58);

    public static Protocol Sctp => new(132);

    public static Protocol UdpLite => new(136);

    /// <summary>Whether flows of this protocol carry port numbers.</summary>
    public bool HasPorts => Number is 6 or 17 or 132 or 136;

    /// <summary>Parses a name (TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite; any case) or a number 1–255.</summary>
    public static bool TryParse(string? text, out Protocol protocol)
    {
        protocol = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        switch (text.Trim().ToUpperInvariant())
        {
            case "TCP": protocol = Tcp; return true;
            case "UDP": protocol = Udp; return true;
            case "SCTP": protocol = Sctp; return true;
            case "ICMP": protocol = Icmp; return true;
            case "ICMPV6": protocol = IcmpV6; return true;
            case "UDPLITE": protocol = UdpLite; return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 255)
        {
            protocol = new((byte)n);
            return true;
        }

        return false;
    }

    public override string ToString() => Number switch
    {
        1 => "ICMP",
        6 => "TCP",
        17 => "UDP",
        58 => "ICMPv6",
        132 => "SCTP",
        136 => "UDPLite",
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };
}
