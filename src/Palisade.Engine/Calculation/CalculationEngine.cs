using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The incremental calculation: fed by deltas (workloads, namespaces, service accounts, tiers, policies, network sets),
/// it keeps, for every distinct selector, the identities it matches, and for every identity the ordered policies that
/// apply — computed once per distinct label set (identity), shared by every endpoint that has it — and answers flows
/// on precompiled structures without allocating. <see cref="Flush"/> ends a batch of updates.
/// </summary>
/// <remarks>
/// A facade over a graph of stages, each a class owning its state and handing changes on (as Calico felix's
/// calculation graph does), each with its contract written where it is defined:
/// <code>
///  namespaces, accounts,  ┌────────────────┐ new identities,  ┌────────────────┐ subjects  ┌────────────────┐
///  nodes, network sets, ─▶│ IdentityIndex  │─changed metadata▶│ SelectorIndex  │─changed──▶│ PolicyResolver │◀─ tiers,
///  workloads              │ endpoints,     │                  │ memberships,   │           │ policies, lists│   policies
///                         │ identities     │─endpoints come and go, identities gone──────▶│ (RuleCompiler) │
///                         └───────┬────────┘                  └───────┬────────┘           └───────┬────────┘
///                                 │                            PeerBlocks (peers)          TierRunCache (runs)
///                                 │                                   │                            │
///                                 │                                   │                  TierProgramCompiler
///                                 ▼                                   ▼                            ▼ programs
///                      EndpointHot[] (the walker's hot entries: address word, programs, peer block)
///                                 │  ◀── VerdictLayout packs them densely once large
///                                 ▼
///   Evaluate ──▶ VerdictWalker ──▶ SimpleRuleTest (rules of the common shape) / GeneralRuleWalker (the rest)
///   Trace ─────▶ FlowTracer (the walker's rule tests, every rule)      Classes ──▶ Analysis.Classes (beside)
/// </code>
/// Updates go to the stage that owns what changed; <see cref="Flush"/> runs the resolver's lists, the run cache's end of
/// batch, the peer blocks' refresh and the layout, in that order. The public API is this class alone.
/// <para>
/// From change to kernel there is one path, render-plus-diff (as the Kubernetes nftables proxier does): the data plane
/// renders the whole desired table from this engine's read-only view (<see cref="EndpointViews"/>, <see cref="ListRuns"/>,
/// <see cref="SelectorMembers"/>), diffs it against what it last wrote and sends one transaction. The engine publishes
/// no subscriber API; the deltas its stages produce (<see cref="ICalculationListener"/>, internal) are kept only as an
/// invariant its tests check.
/// </para>
/// </remarks>
public sealed class CalculationEngine
{
    private readonly List<ICalculationListener> listeners = [];
    private readonly TierRunCache runCache;
    private readonly IdentityIndex identities;
    private readonly SelectorIndex selectors;
    private readonly PolicyResolver resolver;
    private readonly VerdictLayout layout;
    private readonly VerdictWalker walker;

    public CalculationEngine(CalculationOptions? options = null)
    {
        options ??= new CalculationOptions();
        runCache = new TierRunCache(new TierProgramCompiler(options));

        // The walker's hot entries are written by every stage; its rule tests read the selector index, which is made
        // after it (the lambdas are called only once a flow is judged).
        var endpoints = new List<EndpointState?>();
        var matchers = new List<MatcherState?>();
        var networkSets = new Dictionary<string, NetworkSetInfo>(StringComparer.Ordinal);
        var nodesByAddress = new Dictionary<IPAddress, NodeInfo>();
        var general = new GeneralRuleWalker(matchers, nodesByAddress, networkSets, m => selectors!.SelectedNets(m));
        walker = new VerdictWalker(options, endpoints, networkSets, new SimpleRuleTest(endpoints, networkSets, matchers, general), general);
        identities = new IdentityIndex(walker, listeners, endpoints, networkSets, nodesByAddress);
        selectors = new SelectorIndex(identities, walker, listeners, matchers, identity => resolver!.SubjectsChanged(identity));
        var ruleCompiler = new RuleCompiler(selectors.Acquire, m => selectors.Peers.AddPeerRef(m, 1));
        resolver = new PolicyResolver(identities, selectors, runCache, ruleCompiler, walker, listeners);
        identities.Connect(selectors, resolver);
        layout = new VerdictLayout(options, identities, resolver, selectors.Peers, walker);
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
        walker.Reserve(identities.Endpoints.Count + cluster.Workloads.Length);
        foreach (var w in cluster.Workloads)
        {
            UpsertWorkload(w);
        }

        Flush();
    }

    // Updates, each to the stage that owns what changed.
    public void UpsertNamespace(NamespaceInfo ns) => identities.UpsertNamespace(ns);

    public void RemoveNamespace(string name) => identities.RemoveNamespace(name);

    public void UpsertServiceAccount(ServiceAccountInfo sa) => identities.UpsertServiceAccount(sa);

    public void RemoveServiceAccount(string ns, string name) => identities.RemoveServiceAccount(ns, name);

    public void UpsertNode(NodeInfo node) => identities.UpsertNode(node);

    public void RemoveNode(string name) => identities.RemoveNode(name);

    public void UpsertNetworkSet(NetworkSetInfo set) => identities.UpsertNetworkSet(set);

    public void RemoveNetworkSet(string id) => identities.RemoveNetworkSet(id);

    /// <summary>Adds a workload, or replaces the one with the same id (relabelled, moved, new addresses).</summary>
    public void UpsertWorkload(Workload workload) => identities.UpsertWorkload(workload);

    public void RemoveWorkload(string id) => identities.RemoveWorkload(id);

    public void UpsertTier(Tier tier) => resolver.UpsertTier(tier);

    /// <summary>
    /// Removes a tier that holds no policy, and says whether it did. A tier still holding policies stays until they are
    /// removed (Calico refuses to delete such a tier as well); a tier is only ever read through its policies, so an
    /// empty one changes no verdict either way, but one kept after it is gone would stay for good.
    /// </summary>
    public bool RemoveTier(string name) => resolver.RemoveTier(name);

    /// <summary>Adds a policy, or replaces the policy with the same key. Staged policies are not enforced and are ignored.</summary>
    public void UpsertPolicy(string tierName, Policy policy) => resolver.UpsertPolicy(tierName, policy);

    public void RemovePolicy(string key) => resolver.RemovePolicy(key);

    /// <summary>Ends a batch: recomputes the lists of identities whose subjects changed and the lists whose policies changed, and publishes.</summary>
    public void Flush()
    {
        resolver.Flush();
        selectors.RefreshPeerArrays();
        layout.KeepPacked();
    }

    /// <summary>Number of live endpoints.</summary>
    public int EndpointCount => identities.EndpointIds.Count;

    /// <summary>Number of distinct identities (namespace, labels, service account) among endpoints.</summary>
    public int IdentityCount => identities.IdentityCount;

    /// <summary>Number of distinct selector index entries.</summary>
    public int SelectorCount => selectors.MatcherIds.Count;

    /// <summary>Number of enforced policies known.</summary>
    public int PolicyCount => resolver.Policies.Count;

    /// <summary>Number of distinct policy lists (shared by identities selected alike).</summary>
    public int PolicyListCount => resolver.ListCount;

    /// <summary>Number of tiers.</summary>
    public int TierCount => resolver.Tiers.Count;

    /// <summary>Number of distinct tier runs (shared by lists with the same policies in a tier).</summary>
    public int TierRunCount => runCache.Count;

    /// <summary>
    /// The handle of a workload for <see cref="Evaluate(int, int, Protocol, int)"/>; -1 when unknown. A handle holds
    /// while its workload is in the engine (an upsert of the same workload keeps it); once the workload is removed,
    /// the handle may be given to another, so it must be looked up again.
    /// </summary>
    public int EndpointHandle(string workloadId) => identities.EndpointIds.TryGetValue(workloadId, out var h) ? h : -1;

    /// <summary>Judges a flow between two endpoints (by handle) on a destination port.</summary>
    public FastVerdict Evaluate(int source, int destination, Protocol protocol, int port) => walker.Evaluate(source, destination, protocol, port);

    /// <summary>
    /// Judges many flows between endpoints (by handle) on the same protocol: the bulk path of analysis. In a large
    /// engine, while one flow is judged, the data of flows a few places ahead is prefetched, so that memory latency
    /// overlaps with work.
    /// </summary>
    public void Evaluate(ReadOnlySpan<int> sources, ReadOnlySpan<int> destinations, ReadOnlySpan<int> ports, Protocol protocol, Span<FastVerdict> results) =>
        walker.Evaluate(sources, destinations, ports, protocol, results);

    /// <summary>Judges a flow where either end may be an outside address (handle -1 with an address).</summary>
    public FastVerdict Evaluate(int source, IPAddress? sourceAddress, int destination, IPAddress? destinationAddress, Protocol protocol, int port) =>
        walker.Evaluate(source, sourceAddress, destination, destinationAddress, protocol, port);

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

    /// <summary>
    /// Computes class connectivity on the given ports, or on the ports destination classes declare: endpoints every
    /// policy treats alike are grouped, and reachability is given between classes (<see cref="Analysis.Classes.ClassAnalysis"/>).
    /// </summary>
    public ClassReport Classes(IReadOnlyList<PortSpec>? ports = null)
    {
        Flush();
        return new Analysis.Classes.ClassAnalysis(this).Run(ports);
    }

    /// <summary>The rule a fast-path outcome names, or null.</summary>
    public Rule? RuleOf(DirectionOutcome outcome)
    {
        if (outcome.Policy < 0 || resolver.PolicyById.Count <= outcome.Policy || resolver.PolicyById[outcome.Policy] is not { } p)
        {
            return null;
        }

        return outcome.Reason is VerdictReason.RuleAllowed or VerdictReason.RuleDenied ? p.Rules(outcome.Direction)[outcome.Rule].Source : null;
    }

    /// <summary>The policy a fast-path outcome names, or null.</summary>
    public Policy? PolicyOf(DirectionOutcome outcome) =>
        outcome.Policy >= 0 && resolver.PolicyById.Count > outcome.Policy ? resolver.PolicyById[outcome.Policy]?.Policy : null;

    /// <summary>The tier a fast-path outcome names, or null.</summary>
    public Tier? TierOf(DirectionOutcome outcome) =>
        outcome.Tier < 0 ? null : resolver.Tiers.Values.FirstOrDefault(t => t.Id == outcome.Tier)?.Tier;

    /// <summary>The tier a policy is in (by the engine's knowledge), for naming.</summary>
    public Tier? TierOfPolicy(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return resolver.Policies.TryGetValue(PolicyKey(policy), out var state) ? state.Tier.Tier : null;
    }

    /// <summary>The explained verdict of a fast-path outcome at an endpoint (the deciding rule, or the policies whose tier ended in deny).</summary>
    public DirectionVerdict Explain(int endpoint, DirectionOutcome outcome)
    {
        var tier = TierOf(outcome);
        var steps = ImmutableArray.CreateBuilder<EvaluationStep>();
        if (outcome.Reason == VerdictReason.TierEndDenied && endpoint >= 0 && identities.Endpoints[endpoint] is { List: >= 0 } e)
        {
            foreach (var run in resolver.Lists[e.List]!.Runs)
            {
                if (run.Tier.Id != outcome.Tier)
                {
                    continue;
                }

                foreach (var p in run.Policies)
                {
                    if (p.Policy.Governs(outcome.Direction))
                    {
                        steps.Add(new EvaluationStep(StepKind.PolicyApplies, p.Tier.Tier, p.Policy, null));
                    }
                }
            }
        }

        var rule = RuleOf(outcome);
        if (rule is not null && tier is not null)
        {
            steps.Add(new EvaluationStep(StepKind.Decided, tier, PolicyOf(outcome), rule));
        }

        return new DirectionVerdict(outcome.Direction, outcome.Allowed, outcome.Reason)
        {
            Rule = rule,
            Policy = rule is null ? null : PolicyOf(outcome),
            Tier = tier,
            Steps = steps.ToImmutable(),
        };
    }

    // The read-only view renderers (the nftables data plane) work from.

    /// <summary>Every endpoint with its workload and policy list.</summary>
    public IEnumerable<EndpointView> EndpointViews()
    {
        foreach (var (id, handle) in identities.EndpointIds)
        {
            var e = identities.Endpoints[handle]!;
            yield return new EndpointView(id, e.Workload, e.List);
        }
    }

    /// <summary>The tier runs of a policy list, in tier order.</summary>
    public IReadOnlyList<TierRunView> ListRuns(int list)
    {
        if (list < 0 || list >= resolver.Lists.Count || resolver.Lists[list] is not { } l)
        {
            return [];
        }

        return [.. l.Runs.Select(r => new TierRunView($"{r.Tier.Tier.Name}|{string.Join(',', r.Policies.Select(p => p.Key))}", r.Tier.Tier, [.. r.Policies.Select(p => p.Policy)]))];
    }

    /// <summary>The selector index entry for a peer's identity conditions, or -1 when no policy uses it.</summary>
    public int SelectorOf(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return selectors.MatcherIds.TryGetValue(SelectorIndex.IdentityPart(peer), out var id) ? id : -1;
    }

    /// <summary>The endpoints (by workload id) a selector index entry matches.</summary>
    public IEnumerable<string> SelectorMembers(int selector)
    {
        if (selector < 0 || selector >= selectors.Matchers.Count || selectors.Matchers[selector] is not { } m)
        {
            yield break;
        }

        foreach (var identity in m.Members)
        {
            foreach (var e in identities.Identities[identity]!.Endpoints)
            {
                yield return identities.Endpoints[e]!.Key;
            }
        }
    }

    /// <summary>The address ranges of the network sets a Calico selector entry selects (empty for others).</summary>
    public IEnumerable<CidrBlock> SelectorNetworkSetRanges(int selector)
    {
        if (selector < 0 || selector >= selectors.Matchers.Count || selectors.Matchers[selector] is not { Peer.CalicoScope: true } m ||
            m.Peer.ServiceAccountSelector is not null || !m.Peer.ServiceAccountNames.IsEmpty)
        {
            return [];
        }

        return identities.NetworkSets.Values.Where(s => selectors.NetworkSetSelected(m.Peer, s)).SelectMany(s => s.Nets);
    }

    /// <summary>The addresses of the nodes a node selector selects.</summary>
    public IEnumerable<IPAddress> NodeAddresses(Model.Selectors.Selector nodeSelector)
    {
        ArgumentNullException.ThrowIfNull(nodeSelector);
        return identities.Nodes.Values.Where(n => nodeSelector.Matches(n.Labels)).SelectMany(n => n.Addresses);
    }

    /// <summary>
    /// A canonical text of the state: each selector's members (by endpoint id), each endpoint's ordered policies, and the
    /// selectors the fast path looks a remote endpoint up in (its hot entry's: the peer selectors it is in). Two engines
    /// fed the same final state describe it identically, whatever the order of their updates.
    /// </summary>
    public string DescribeState()
    {
        var sb = new StringBuilder();
        var matchers = selectors.Matchers;
        foreach (var (peer, id) in selectors.MatcherIds.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal).ThenBy(p => p.Key.CalicoScope))
        {
            var members = matchers[id]!.Members.SelectMany(i => identities.Identities[i]!.Endpoints).Select(e => identities.Endpoints[e]!.Key).Order(StringComparer.Ordinal);
            sb.Append(CultureInfo.InvariantCulture, $"selector {peer} calico={peer.CalicoScope}: {string.Join(' ', members)}\n");
        }

        foreach (var (id, handle) in identities.EndpointIds.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var e = identities.Endpoints[handle]!;
            var list = e.List < 0 ? "none" : string.Join(", ", resolver.Lists[e.List]!.Policies.Select(p => PolicyKey(p)));
            var peers = walker.Hot[handle].Matchers.Skip(TierProgram.PeerBlockHeader).Select(m => $"{matchers[m]!.Peer} calico={matchers[m]!.Peer.CalicoScope}").Order(StringComparer.Ordinal);
            sb.Append(CultureInfo.InvariantCulture, $"endpoint {id}: {list}\n  peers: {string.Join("; ", peers)}\n");
        }

        return sb.ToString();
    }

    /// <summary>The mean number of rules an endpoint's ingress and egress programs hold (what a verdict may walk).</summary>
    public (double Ingress, double Egress) MeanProgramLength()
    {
        long ingress = 0, egress = 0, n = 0;
        foreach (var e in identities.Endpoints)
        {
            if (e is null)
            {
                continue;
            }

            n++;
            if (e.List >= 0 && resolver.Lists[e.List] is { } l)
            {
                ingress += l.IngressProgram.Sum(t => t.Program.RuleCount);
                egress += l.EgressProgram.Sum(t => t.Program.RuleCount);
            }
        }

        return n == 0 ? (0, 0) : ((double)ingress / n, (double)egress / n);
    }

    /// <summary>The key that names a policy across updates: API version, kind, namespace and name.</summary>
    public static string PolicyKey(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return $"{policy.Source.ApiVersion} {policy.Source.Kind} {policy.Namespace}/{policy.Name}";
    }

    // What class analysis, the flow tracer and tests read of a flushed engine (they change nothing).
    internal List<EndpointState?> Endpoints => identities.Endpoints;

    internal IEnumerable<int> EndpointHandles => identities.EndpointIds.Values;

    internal IdentityState Identity(int id) => identities.Identities[id]!;

    internal IEnumerable<PolicyState> PolicyStates => resolver.Policies.Values;

    internal Dictionary<string, NetworkSetInfo> NetworkSets => identities.NetworkSets;

    internal Dictionary<IPAddress, NodeInfo> NodesByAddress => identities.NodesByAddress;

    internal VerdictWalker Walker => walker;

    internal PolicyList? ListOf(EndpointState endpoint) => endpoint.List >= 0 ? resolver.Lists[endpoint.List] : null;

    /// <summary>Adds a listener to the deltas (for the invariant tests; see <see cref="ICalculationListener"/>).</summary>
    internal void Subscribe(ICalculationListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        listeners.Add(listener);
    }

    /// <summary>
    /// The number of live entries in each of the stages' tables, indexes and pending-work sets, by name. Caches filled
    /// on demand count only their stale entries (of namespaces and accounts nothing uses any more). Two engines holding
    /// the same state have the same census whatever the updates that led there (slots freed for reuse are not counted),
    /// so that an entry a removal forgets to drop shows as a difference.
    /// </summary>
    internal IReadOnlyList<(string Table, int Count)> Census() =>
        [.. identities.Census(), .. resolver.Census(), .. runCache.Census(), .. selectors.Census(), .. selectors.Peers.Census()];

    /// <summary>For tests: the program and peer-block references endpoints hold that packing did not leave (see <see cref="VerdictLayout"/>).</summary>
    internal int UnpackedReferences() => layout.UnpackedReferences();

    /// <summary>For tests: identities holding peer selectors, distinct arrays and sets of them, blocks kept and their uses.</summary>
    internal (int Identities, int Arrays, int Sets, int Blocks, int Uses) PeerArrays() => selectors.Peers.PeerArrays();
}
