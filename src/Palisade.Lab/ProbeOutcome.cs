namespace Palisade.Lab;

/// <summary>What a probe saw.</summary>
public enum ProbeOutcome
{
    /// <summary>A server answered (TCP connected; UDP got a reply).</summary>
    Connected,

    /// <summary>The destination was reached but nothing listens there (TCP reset, ICMP port unreachable) — or a reject rule.</summary>
    Refused,

    /// <summary>No answer within the timeout: dropped on the way, or by a rule.</summary>
    Timeout,

    /// <summary>The network said the destination cannot be reached (ICMP host or network unreachable, no route).</summary>
    Unreachable,

    /// <summary>The protocol cannot be probed on this kernel (SCTP without the module).</summary>
    Unsupported,

    /// <summary>The probe itself failed (unknown source pod, a local error); see the error text.</summary>
    Failed,
}
