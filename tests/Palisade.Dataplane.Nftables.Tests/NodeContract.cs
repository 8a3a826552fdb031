using System.Net;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Dataplane.Nftables.Tracing;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>Holds a node's rendered table to the engine: every pod pair and port traced through it, verdicts compared.</summary>
internal static class NodeContract
{
    public const uint Generation = 7;
    private const int EphemeralPort = 40123;
    private const string Fabric = "fabric0";

    /// <summary>A flow between two pods on one port, and the addresses it uses.</summary>
    public sealed record Flow(string From, string To, Protocol Protocol, int Port);

    /// <summary>One node's table and its local pods' interfaces.</summary>
    public sealed class Node(NftTable table, IEnumerable<RulesetRenderer.LocalEndpoint> locals)
    {
        private readonly PacketTracer tracer = new(table);
        private readonly Dictionary<string, string> interfaces = locals.ToDictionary(l => l.WorkloadId, l => l.Interface, StringComparer.Ordinal);

        public bool Holds(string workload) => interfaces.ContainsKey(workload);

        /// <summary>The traces of the flow's new packet, and of packets of it established under an older generation.</summary>
        public List<PacketTrace> Judge(Flow flow, TracedPacket packet)
        {
            packet = packet with
            {
                InInterface = interfaces.GetValueOrDefault(flow.From, Fabric),
                OutInterface = interfaces.GetValueOrDefault(flow.To, Fabric),
            };
            var stale = Generation - 1;
            return
            [
                tracer.Trace(NftHookPoint.Forward, packet),
                tracer.Trace(NftHookPoint.Forward, packet with { State = NftCtStates.Established, CtMark = stale }),
                tracer.Trace(NftHookPoint.Forward, packet.ReplyTo(stale)),
            ];
        }
    }

    public static List<PacketTrace> Both(List<PacketTrace> a, List<PacketTrace> b) =>
        [.. a.Zip(b, (x, y) => x.Accepted ? y : x)];

    /// <summary>Judges every ordered pair of pods (with an address of a family both have) on every port, in every
    /// family they share; returns how many flows were judged and the ones whose traces disagree with the engine.</summary>
    public static (int Judged, List<string> Mismatches) Compare(CalculationEngine engine, ClusterSnapshot cluster, List<(Protocol Protocol, int Port)> ports, Func<Flow, TracedPacket, List<PacketTrace>> judge)
    {
        var mismatches = new List<string>();
        var judged = 0;
        var pods = cluster.Workloads.Where(w => !w.HostNetwork && !w.Addresses.IsEmpty).ToList();
        foreach (var from in pods)
        {
            foreach (var to in pods)
            {
                if (from == to)
                {
                    continue;
                }

                foreach (var (protocol, port) in ports)
                {
                    var expected = engine.Evaluate(engine.EndpointHandle(from.Id), engine.EndpointHandle(to.Id), protocol, port).Allowed;
                    foreach (var (source, destination) in SharedFamilies(from, to))
                    {
                        judged++;
                        var flow = new Flow(from.Id, to.Id, protocol, port);
                        var packet = new TracedPacket(null, null, source, destination, protocol.Number, EphemeralPort, port);
                        var traces = judge(flow, packet);
                        var wrong = traces.FirstOrDefault(t => t.Accepted != expected);
                        if (wrong is not null)
                        {
                            mismatches.Add($"{from.Id} -> {to.Id} {port}/{protocol.Number} ({source} -> {destination}): engine {(expected ? "allows" : "denies")}, " +
                                $"trace {traces.IndexOf(wrong)} (0 new, 1 established, 2 reply) {wrong}");
                        }
                    }
                }
            }
        }

        return (judged, mismatches);
    }

    private static IEnumerable<(IPAddress Source, IPAddress Destination)> SharedFamilies(Workload from, Workload to)
    {
        foreach (var source in from.Addresses)
        {
            if (to.Addresses.FirstOrDefault(a => a.AddressFamily == source.AddressFamily) is { } destination)
            {
                yield return (source, destination);
            }
        }
    }
}
