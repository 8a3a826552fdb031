using System.Net;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Evaluation;

/// <summary>One end of a flow: a workload (known by its metadata), or a bare address outside the inventory.</summary>
public sealed record FlowEnd
{
    private FlowEnd(Workload? workload, IPAddress? address)
    {
        Workload = workload;
        Address = address;
    }

    public Workload? Workload { get; }

    /// <summary>The address the flow uses; for a workload, null means any of its addresses.</summary>
    public IPAddress? Address { get; }

    public static FlowEnd Of(Workload workload, IPAddress? address = null) => new(workload, address);

    public static FlowEnd Of(IPAddress address) => new(null, address);

    public override string ToString() => Workload?.Id ?? Address?.ToString() ?? "?";
}
