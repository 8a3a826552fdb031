using Palisade.Manifests.Yaml;
using Palisade.Model.Policies;

namespace Palisade.Manifests.NetworkPolicyApi;

/// <summary>
/// Reads policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy (into the Admin tier, by priority) and the single
/// BaselineAdminNetworkPolicy named <c>default</c> (into the Baseline tier). Both tiers pass what they do not decide.
/// </summary>
internal sealed class AdminNetworkPolicyReader : IObjectReader
{
    private static readonly string[] AdminActions = ["Allow", "Deny", "Pass"];
    private static readonly string[] BaselineActions = ["Allow", "Deny"];

    /// <summary>BANP has no priority; it comes after every Baseline-tier ClusterNetworkPolicy (priorities 0–1000).</summary>
    public const double BaselinePolicyOrder = 1001;

    public bool Handles(string apiVersion, string kind) =>
        apiVersion == "policy.networking.k8s.io/v1alpha1" && kind is "AdminNetworkPolicy" or "BaselineAdminNetworkPolicy";

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        if (PolicyApiReading.ReadFrame(reader) is not var (meta, spec))
        {
            return;
        }

        var baseline = reader.Kind == "BaselineAdminNetworkPolicy";
        var before = reader.ErrorCount;
        var known = baseline ? new[] { "subject", "ingress", "egress" } : ["priority", "subject", "ingress", "egress"];
        reader.OnlyFields(spec, "spec", known);
        if (baseline && meta.Name != "default")
        {
            reader.Error(reader.Root, "metadata.name", $"a BaselineAdminNetworkPolicy must be named \"default\" (there is only one per cluster), got \"{meta.Name}\"");
        }

        var priority = baseline ? 0 : PolicyApiReading.ReadPriority(reader, spec);
        var subject = PolicyApiReading.ReadSubject(reader, spec, namespaceSelectorRequired: true);
        var source = reader.SourceRef(null);
        var actions = baseline ? BaselineActions : AdminActions;
        var ingress = PolicyApiReading.ReadRules(reader, spec, Direction.Ingress, source, actions, PolicyApiReading.PortSyntax.Ports, namespaceSelectorRequired: true);
        var egress = PolicyApiReading.ReadRules(reader, spec, Direction.Egress, source, actions, PolicyApiReading.PortSyntax.Ports, namespaceSelectorRequired: true);
        if (reader.ErrorCount > before || subject is null || priority is null || !into.Claim(reader, reader.Kind, null, meta.Name))
        {
            return;
        }

        var (tierName, tierOrder, tierKind) = baseline
            ? (PolicyModel.BaselineTierName, PolicyModel.BaselineTierOrder, TierKind.Baseline)
            : (PolicyModel.AdminTierName, PolicyModel.AdminTierOrder, TierKind.Admin);
        into.EnsureTier(tierName, tierOrder, tierKind, RuleAction.Pass);
        into.AddPolicy(tierName, new Policy(meta.Name, source, subject)
        {
            Order = baseline ? BaselinePolicyOrder : priority.Value,
            GovernsIngress = !ingress.IsEmpty,
            GovernsEgress = !egress.IsEmpty,
            IngressRules = ingress,
            EgressRules = egress,
        });
    }
}
