using System.Net;
using Palisade.Model;

namespace Palisade.Lab;

/// <summary>One probe: from a lab pod (by workload id) to an address and port.</summary>
/// <param name="From">The source workload, <c>namespace/name</c>; the probe leaves from its pod's namespace.</param>
/// <param name="To">The destination address.</param>
/// <param name="Port">The destination port and protocol.</param>
public sealed record ProbeRequest(string From, IPAddress To, PortSpec Port)
{
    public override string ToString() => $"{From} -> {To} {Port}";
}
