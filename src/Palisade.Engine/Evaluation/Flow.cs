using Palisade.Model;

namespace Palisade.Engine.Evaluation;

/// <summary>A connection attempt to judge: from a source to a destination port over a protocol.</summary>
public sealed record Flow(FlowEnd Source, FlowEnd Destination, Protocol Protocol, int Port)
{
    /// <summary>For ICMP flows: the message type, when known.</summary>
    public int? IcmpType { get; init; }

    /// <summary>For ICMP flows: the message code, when known.</summary>
    public int? IcmpCode { get; init; }

    public override string ToString() => $"{Source} -> {Destination} {new PortSpec(Port, Protocol)}";
}
