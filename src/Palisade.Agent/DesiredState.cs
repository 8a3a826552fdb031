using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Agent;

/// <summary>One whole desired state of the cluster as a source saw it: the objects, the policies and their revision.</summary>
/// <param name="Revision">Higher for every later state of the same source (a watch resumes from it).</param>
/// <param name="Cluster">The namespaces, accounts, nodes, network sets and workloads.</param>
/// <param name="Policies">The policies, compiled into tiers.</param>
/// <param name="ChangedAt">When the source first noticed the change this state answers (null: the first state, or unknown).</param>
public sealed record DesiredState(long Revision, ClusterSnapshot Cluster, PolicyModel Policies, DateTimeOffset? ChangedAt = null);
