using System.Net;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>A flow as the verdict walker reads it: its ends (by handle, or an outside address), protocol and port.</summary>
internal readonly struct FlowRef(List<EndpointState?> endpoints, int source, IPAddress? sourceAddress, int destination, IPAddress? destinationAddress, Protocol protocol, int port)
{
    public readonly int SourceHandle = source;
    public readonly IPAddress? SourceAddress = sourceAddress;
    public readonly int DestinationHandle = destination;
    public readonly IPAddress? DestinationAddress = destinationAddress;
    public readonly Protocol Protocol = protocol;
    public readonly int Port = port;

    /// <summary>The source endpoint's full state (cold: only complex rules and named ports need it).</summary>
    public EndpointState? Source => SourceHandle >= 0 ? endpoints[SourceHandle] : null;

    public EndpointState? Destination => DestinationHandle >= 0 ? endpoints[DestinationHandle] : null;
}
