using System.Collections.Immutable;
using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Analysis;

/// <summary>
/// Computes all-pairs connectivity between workloads, on given ports or on the ports destinations declare; a workload
/// with more than one replica is also paired with itself (its replicas talk to each other).
/// </summary>
public static class ConnectivityAnalyzer
{
    /// <param name="ports">Ports to judge every pair on; null or empty: each destination's declared container ports.</param>
    public static ConnectivityReport Analyze(ClusterSnapshot cluster, PolicyModel policies, IReadOnlyList<PortSpec>? ports = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var engine = CalculationEngine.Build(cluster, policies);
        var workloads = cluster.Workloads;
        var handles = workloads.Select(w => engine.EndpointHandle(w.Id)).ToArray();
        var connections = ImmutableArray.CreateBuilder<Connection>();
        var asked = ports is { Count: > 0 } ? ports.Distinct().ToImmutableArray() : [];
        for (var i = 0; i < workloads.Length; i++)
        {
            var from = workloads[i];
            for (var j = 0; j < workloads.Length; j++)
            {
                var to = workloads[j];
                // A workload with several replicas also talks to itself: pod to pod between its replicas.
                if (ReferenceEquals(from, to) && !from.HasPeerReplicas)
                {
                    continue;
                }

                var targetPorts = asked.IsEmpty ? DeclaredPorts(to) : asked;
                foreach (var port in targetPorts)
                {
                    var flow = new Flow(FlowEnd.Of(from), FlowEnd.Of(to), port.Protocol, port.Port);
                    var fast = engine.Evaluate(handles[i], handles[j], port.Protocol, port.Port);
                    var verdict = new FlowVerdict(flow, engine.Explain(handles[i], fast.Egress), engine.Explain(handles[j], fast.Ingress));
                    connections.Add(new Connection(from, to, port, verdict));
                }
            }
        }

        var allPorts = asked.IsEmpty ? workloads.SelectMany(w => DeclaredPorts(w)).Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number).ToImmutableArray() : asked;
        return new ConnectivityReport(workloads, allPorts, connections.ToImmutable());
    }

    /// <summary>The distinct port/protocol pairs a workload's containers declare, in port order.</summary>
    public static ImmutableArray<PortSpec> DeclaredPorts(Workload workload) =>
        [.. workload.Ports.Select(p => new PortSpec(p.Port, p.Protocol)).Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number)];

    /// <summary>
    /// The numbered ports the enforced rules name as destinations (the first of a range), with their protocol (TCP when
    /// none is given): ports on which analyses judge flows beyond the ports workloads declare.
    /// </summary>
    public static ImmutableArray<PortSpec> RulePorts(params IEnumerable<PolicyModel> models) =>
        [.. models.SelectMany(m => m.Policies).Where(p => !p.Staged)
            .SelectMany(p => p.IngressRules.Concat(p.EgressRules))
            .SelectMany(r => r.Destination.Ports.Where(pm => !pm.IsNamed && !pm.IsAnyPort).Select(pm => new PortSpec(pm.First == 0 ? 1 : pm.First, pm.Protocol ?? r.Protocol ?? Protocol.Tcp)))
            .Where(p => p.Protocol.HasPorts)
            .Distinct()
            .OrderBy(p => p.Port)
            .ThenBy(p => p.Protocol.Number)];
}
