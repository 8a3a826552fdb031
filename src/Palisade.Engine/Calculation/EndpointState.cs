using Palisade.Model.Cluster;

namespace Palisade.Engine.Calculation;

/// <summary>An endpoint (a workload) as the engine keeps it: its handle, identity, policy list and what the fast path copies.</summary>
internal sealed class EndpointState
{
    public required int Id;

    /// <summary>The workload's id (<c>namespace/name</c>), which stays with the endpoint while it is upserted.</summary>
    public required string Key;
    public required Workload Workload;

    /// <summary>Copied from the workload, so that the fast path does not load it.</summary>
    public bool HostNetwork;

    /// <summary>The programs of the endpoint's policy list, by reference (the fast path's first hop).</summary>
    public ProgramRef[] Ingress = [];
    public ProgramRef[] Egress = [];
    public int Identity = -1;
    public int List = -1;

    /// <summary>The identity's peer block (<see cref="IdentityState.PeerArray"/>), shared by reference.</summary>
    public int[] Matchers = TierProgram.NoPeers;

    /// <summary>The endpoint's <see cref="EndpointHot.Word"/>: its address word, host-network and identity bits.</summary>
    public ulong HotWord =>
        EndpointAddress.Word(Workload) | (HostNetwork ? EndpointAddress.HostNetworkBit : 0) | (Identity >= 0 ? EndpointAddress.IdentityBit : 0);
}
