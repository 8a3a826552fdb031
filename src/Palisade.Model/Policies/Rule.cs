namespace Palisade.Model.Policies;

/// <summary>One ordered rule of a policy: if a flow matches every condition, the action applies.</summary>
public sealed record Rule(RuleAction Action, EntityMatch Source, EntityMatch Destination, RuleOrigin Origin)
{
    /// <summary>Only flows of this protocol; null for any.</summary>
    public Protocol? Protocol { get; init; }

    /// <summary>Flows of this protocol are excluded.</summary>
    public Protocol? NotProtocol { get; init; }

    /// <summary>Only ICMP flows of this type (and code).</summary>
    public IcmpMatch? Icmp { get; init; }

    /// <summary>ICMP flows of this type (and code) are excluded.</summary>
    public IcmpMatch? NotIcmp { get; init; }

    /// <summary>Only flows of this IP version (4 or 6); null for both.</summary>
    public int? IpVersion { get; init; }

    public override string ToString()
    {
        var proto = Protocol is { } p ? $" {p}" : string.Empty;
        var notProto = NotProtocol is { } np ? $" not {np}" : string.Empty;
        return $"{Action}{proto}{notProto} from {Source} to {Destination}";
    }
}
