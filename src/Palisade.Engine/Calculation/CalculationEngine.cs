using System.Collections.Immutable;
using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The incremental calculation: fed by deltas (workloads, namespaces, service accounts, tiers, policies, network sets),
/// it keeps, for every distinct selector, the identities it matches, and for every identity the ordered policies that
/// apply — computed once per distinct label set (identity), shared by every endpoint that has it — and answers flows
/// on precompiled structures without allocating. <see cref="Flush"/> ends a batch of updates.
/// </summary>
/// <remarks>
/// A graph of stages, each owning its state and handing changes on (as Calico felix's calculation graph does):
/// <code>
///  namespaces, accounts, workloads ──▶ identity index ──new/changed identities──▶ selector index
///  tiers, policies ──▶ RuleCompiler ──selectors taken──────────────────────────▶ (memberships)
///                                                                                     │ subjects changed
///                                                                                     ▼
///                     TierProgramCompiler ◀── TierRunCache ◀──tier runs── policy resolver (lists)
///                          │ programs                                                 │ list per endpoint
///                          ▼                                                          ▼
///  Evaluate ──▶ VerdictWalker ◀──reads── EndpointHot[] (the snapshot; packed once large) ◀── peer blocks
///  Classes ──▶ Analysis.Classes.ClassAnalysis (reads a flushed engine)
/// </code>
/// The identity index (<c>CalculationEngine.Inventory.cs</c>), the selector index (<c>.Selectors.cs</c>), the policy
/// resolver (<c>.Policies.cs</c>) and the layout (<c>.Layout.cs</c>) are still parts of this class sharing its fields;
/// the compilers, the run cache, the walker and class analysis are classes of their own, with their contracts where
/// they are defined.
/// <para>
/// From change to kernel there is one path, render-plus-diff (as the Kubernetes nftables proxier does): the data plane
/// renders the whole desired table from this engine's read-only view (<see cref="EndpointViews"/>, <see cref="ListRuns"/>,
/// <see cref="SelectorMembers"/>), diffs it against what it last wrote and sends one transaction. The engine publishes
/// no subscriber API; the deltas its stages produce (<see cref="ICalculationListener"/>, internal) are kept only as an
/// invariant its tests check.
/// </para>
/// </remarks>
public sealed partial class CalculationEngine
{
    private readonly List<ICalculationListener> listeners = [];

    private readonly CalculationOptions options;

    private readonly TierProgramCompiler compiler;

    private readonly TierRunCache runCache;

    private readonly RuleCompiler ruleCompiler;

    /// <summary>Number of distinct tier runs (shared by lists with the same policies in a tier).</summary>
    public int TierRunCount => runCache.Count;

    private readonly GeneralRuleWalker generalRules;

    private readonly VerdictWalker walker;

    public CalculationEngine(CalculationOptions? options = null)
    {
        this.options = options ?? new CalculationOptions();
        compiler = new TierProgramCompiler(this.options);
        runCache = new TierRunCache(compiler);
        ruleCompiler = new RuleCompiler(AcquireMatcher, m => AddPeerRef(m, 1));
        generalRules = new GeneralRuleWalker(matchers, nodesByAddress, networkSets, SelectedNets);
        walker = new VerdictWalker(this.options, endpoints, networkSets, matchers, generalRules);
    }

    /// <summary>Builds the engine from a snapshot and a model in one batch.</summary>
    public static CalculationEngine Build(ClusterSnapshot cluster, PolicyModel model, CalculationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(model);
        var engine = new CalculationEngine(options);
        engine.Load(cluster, model);
        return engine;
    }

    /// <summary>Adds everything in a snapshot and a model, then flushes.</summary>
    public void Load(ClusterSnapshot cluster, PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(model);
        foreach (var ns in cluster.Namespaces)
        {
            UpsertNamespace(ns);
        }

        foreach (var sa in cluster.ServiceAccounts)
        {
            UpsertServiceAccount(sa);
        }

        foreach (var node in cluster.Nodes)
        {
            UpsertNode(node);
        }

        foreach (var set in cluster.NetworkSets)
        {
            UpsertNetworkSet(set);
        }

        foreach (var tier in model.Tiers)
        {
            UpsertTier(tier);
            foreach (var policy in tier.Policies)
            {
                UpsertPolicy(tier.Name, policy);
            }
        }

        // The dense arrays sized once for every workload, rather than doubled (and copied) as they arrive.
        ReserveEndpoints(endpoints.Count + cluster.Workloads.Length);
        foreach (var w in cluster.Workloads)
        {
            UpsertWorkload(w);
        }

        Flush();
    }

    /// <summary>
    /// Computes class connectivity on the given ports, or on the ports destination classes declare: endpoints every
    /// policy treats alike are grouped, and reachability is given between classes (<see cref="Analysis.Classes.ClassAnalysis"/>).
    /// </summary>
    public ClassReport Classes(IReadOnlyList<PortSpec>? ports = null)
    {
        Flush();
        return new Analysis.Classes.ClassAnalysis(this).Run(ports);
    }

    // What class analysis reads of a flushed engine (it changes nothing).
    internal List<EndpointState?> Endpoints => endpoints;

    internal IEnumerable<int> EndpointHandles => endpointIds.Values;

    internal IdentityState Identity(int id) => identities[id]!;

    internal IEnumerable<PolicyState> PolicyStates => policies.Values;

    internal Dictionary<string, NetworkSetInfo> NetworkSets => networkSets;

    internal Dictionary<IPAddress, NodeInfo> NodesByAddress => nodesByAddress;

    internal VerdictWalker Walker => walker;

    internal PolicyList? ListOf(EndpointState endpoint) => endpoint.List >= 0 ? lists[endpoint.List] : null;

    /// <summary>
    /// Explains a flow in full, as the reference evaluator does (every tier and policy that applied, the rules that
    /// logged, passed or decided): for questions asked one flow at a time. Flushes first. Ends are endpoints by handle
    /// (-1 for none) or outside addresses.
    /// </summary>
    public FlowVerdict Trace(int source, IPAddress? sourceAddress, int destination, IPAddress? destinationAddress, Protocol protocol, int port)
    {
        Flush();
        return new FlowTracer(this).Trace(source, sourceAddress, destination, destinationAddress, protocol, port);
    }

    /// <summary>Adds a listener to the deltas (for the invariant tests; see <see cref="ICalculationListener"/>).</summary>
    internal void Subscribe(ICalculationListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        listeners.Add(listener);
    }

    /// <summary>The key that names a policy across updates: API version, kind, namespace and name.</summary>
    public static string PolicyKey(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return $"{policy.Source.ApiVersion} {policy.Source.Kind} {policy.Namespace}/{policy.Name}";
    }
}
