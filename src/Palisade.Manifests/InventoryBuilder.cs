using Palisade.Manifests.Yaml;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests;

/// <summary>
/// Gathers the objects that readers accept, catches duplicates, and at the end assembles the cluster snapshot and the
/// policy model (tiers with their policies), creating namespaces that are referenced but not defined.
/// </summary>
internal sealed class InventoryBuilder
{
    private readonly DiagnosticBag diagnostics;
    private readonly Dictionary<string, NamespaceInfo> namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), ServiceAccountInfo> serviceAccounts = [];
    private readonly Dictionary<string, Workload> workloads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceRef> seen = new(StringComparer.Ordinal);
    private readonly List<(string Tier, Policy Policy)> policies = [];
    private readonly Dictionary<string, Tier> tiers = new(StringComparer.Ordinal);
    private readonly HashSet<string> referencedNamespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeInfo> nodes = new(StringComparer.Ordinal);
    private readonly List<NetworkSetInfo> networkSets = [];

    public InventoryBuilder(DiagnosticBag diagnostics)
    {
        this.diagnostics = diagnostics;
        tiers[PolicyModel.DefaultTierName] = new Tier(PolicyModel.DefaultTierName, PolicyModel.DefaultTierOrder, TierKind.Standard, RuleAction.Deny);
    }

    public List<SkippedObject> Skipped { get; } = [];

    public int ObjectCount { get; set; }

    private FileContribution? recording;

    /// <summary>Starts recording what reading one file contributes, so that an unchanged file can be replayed, not re-read.</summary>
    public void BeginRecording(FileContribution contribution) => recording = contribution;

    public void EndRecording() => recording = null;

    /// <summary>Adds a file's recorded contribution as if it had been read again (duplicates are still caught).</summary>
    public void Replay(FileContribution contribution)
    {
        ObjectCount += contribution.ObjectCount;
        Skipped.AddRange(contribution.Skipped);
        foreach (var d in contribution.Diagnostics)
        {
            diagnostics.Add(d);
        }

        foreach (var entry in contribution.Objects)
        {
            if (entry.Key is not null && !ClaimCore(entry.Key, entry.Here!, entry.Conflict!))
            {
                continue;
            }

            foreach (var add in entry.Adds)
            {
                add(this);
            }
        }
    }

    private void Record(Action<InventoryBuilder> add)
    {
        if (recording is null)
        {
            return;
        }

        if (recording.Objects.Count == 0)
        {
            recording.Objects.Add(new FileContribution.Entry(null, null, null));
        }

        recording.Objects[^1].Adds.Add(add);
    }

    /// <summary>Records an object's identity; false (with an error) when the same object was already read.</summary>
    public bool Claim(ObjectReader reader, string identityKind, string? ns, string name)
    {
        var key = $"{identityKind}\0{ns}\0{name}";
        var here = reader.SourceRef(ns);
        var display = Excerpt.Of($"{identityKind} {(ns is null ? name : $"{ns}/{name}")}", 3 * Excerpt.MaxLength);
        ManifestDiagnostic Conflict(SourceRef first) => reader.ObjectError($"{display} is defined twice; first at {first.Location}");
        recording?.Objects.Add(new FileContribution.Entry(key, here, Conflict));
        return ClaimCore(key, here, Conflict);
    }

    /// <summary>
    /// While set, an object whose identity was already read is dropped without an error: what was read first replaces
    /// it (a change laid over a live cluster's objects).
    /// </summary>
    public bool YieldToEarlier { get; set; }

    private bool ClaimCore(string key, SourceRef here, Func<SourceRef, ManifestDiagnostic> conflict)
    {
        if (seen.TryGetValue(key, out var first))
        {
            if (!YieldToEarlier)
            {
                diagnostics.Add(conflict(first));
            }

            return false;
        }

        seen[key] = here;
        return true;
    }

    public void ReferenceNamespace(string ns)
    {
        referencedNamespaces.Add(ns);
        Record(b => b.referencedNamespaces.Add(ns));
    }

    public void AddNamespace(NamespaceInfo ns)
    {
        namespaces[ns.Name] = ns;
        Record(b => b.namespaces[ns.Name] = ns);
    }

    public void AddServiceAccount(ServiceAccountInfo sa)
    {
        serviceAccounts[(sa.Namespace, sa.Name)] = sa;
        referencedNamespaces.Add(sa.Namespace);
        Record(b => b.AddServiceAccount(sa));
    }

    public void AddWorkload(ObjectReader reader, Workload workload)
    {
        ManifestDiagnostic Conflict(Workload other) => reader.ObjectError($"two workloads are named {workload.Id}: this {workload.Kind} and the {other.Kind} at {other.Source?.Location}; workloads are named namespace/name, so rename one");
        Record(b => b.AddWorkloadCore(workload, Conflict));
        AddWorkloadCore(workload, Conflict);
    }

    private void AddWorkloadCore(Workload workload, Func<Workload, ManifestDiagnostic> conflict)
    {
        if (workloads.TryGetValue(workload.Id, out var other))
        {
            diagnostics.Add(conflict(other));
            return;
        }

        workloads[workload.Id] = workload;
        referencedNamespaces.Add(workload.Namespace);
    }

    public void AddPolicy(string tier, Policy policy)
    {
        policies.Add((tier, policy));
        if (policy.Namespace is not null)
        {
            referencedNamespaces.Add(policy.Namespace);
        }

        Record(b => b.AddPolicy(tier, policy));
    }

    public void AddTier(Tier tier)
    {
        tiers[tier.Name] = tier;
        Record(b => b.AddTier(tier));
    }

    public void AddNode(NodeInfo node)
    {
        nodes[node.Name] = node;
        Record(b => b.AddNode(node));
    }

    public void AddNetworkSet(NetworkSetInfo set)
    {
        networkSets.Add(set);
        if (set.Namespace is not null)
        {
            referencedNamespaces.Add(set.Namespace);
        }

        Record(b => b.AddNetworkSet(set));
    }

    /// <summary>Creates a built-in tier (the Admin and Baseline tiers) the first time a policy needs it.</summary>
    public void EnsureTier(string name, double order, TierKind kind, RuleAction endAction)
    {
        if (!tiers.ContainsKey(name))
        {
            tiers[name] = new Tier(name, order, kind, endAction);
        }

        Record(b => b.EnsureTier(name, order, kind, endAction));
    }

    public bool HasTier(string name) => tiers.ContainsKey(name);

    public LoadResult Build()
    {
        foreach (var ns in referencedNamespaces)
        {
            if (!namespaces.ContainsKey(ns))
            {
                namespaces[ns] = new NamespaceInfo(ns, LabelSet.Of(NamespaceInfo.NameLabel, ns));
            }
        }

        foreach (var (tierName, policy) in policies)
        {
            if (!tiers.ContainsKey(tierName))
            {
                diagnostics.Add(new ManifestDiagnostic(DiagnosticSeverity.Error, $"names tier \"{tierName}\", which is not defined (define a Tier named \"{tierName}\" or use the default tier)")
                {
                    File = policy.Source.File,
                    Line = policy.Source.Line,
                    Object = policy.Source.DisplayName,
                    Path = "spec.tier",
                });
            }
        }

        if (diagnostics.HasErrors)
        {
            return new LoadResult(ClusterSnapshot.Empty, PolicyModel.Empty, diagnostics.Items, Skipped, ObjectCount);
        }

        var byTier = policies.GroupBy(p => p.Tier, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Policy).ToList(), StringComparer.Ordinal);
        var model = new PolicyModel(tiers.Values
            .Where(t => byTier.ContainsKey(t.Name) || t.Source is not null)
            .Select(t => t with { Policies = new(byTier.GetValueOrDefault(t.Name) ?? []) }));
        var cluster = new ClusterSnapshot(namespaces.Values, workloads.Values, serviceAccounts.Values, nodes.Values, networkSets);
        return new LoadResult(cluster, model, diagnostics.Items, Skipped, ObjectCount);
    }
}
