using Palisade.Model.Cluster;

namespace Palisade.Engine.Calculation;

/// <summary>An endpoint as renderers see it: its workload and the policy list it uses (-1: none).</summary>
public sealed record EndpointView(string WorkloadId, Workload Workload, int List);
