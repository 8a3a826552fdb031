using System.Collections.Immutable;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Analysis;

/// <summary>All-pairs connectivity: every ordered pair of distinct workloads on every port asked about.</summary>
public sealed record ConnectivityReport(ImmutableArray<Workload> Workloads, ImmutableArray<PortSpec> Ports, ImmutableArray<Connection> Connections);
