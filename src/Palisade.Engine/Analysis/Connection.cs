using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Analysis;

/// <summary>The verdict for one ordered pair of workloads on one port.</summary>
public sealed record Connection(Workload From, Workload To, PortSpec Port, FlowVerdict Verdict)
{
    public bool Allowed => Verdict.Allowed;
}
