using Palisade.Manifests.Yaml;
using Palisade.Model.Policies;

namespace Palisade.Manifests.NetworkPolicyApi;

/// <summary>
/// Reads policy.networking.k8s.io ClusterNetworkPolicy (v1beta1 and v1alpha2): <c>spec.tier</c> Admin or Baseline,
/// priority 0–1000, actions Accept/Deny/Pass, and <c>protocols</c> for ports.
/// </summary>
internal sealed class ClusterNetworkPolicyReader : IObjectReader
{
    private static readonly string[] Actions = ["Accept", "Deny", "Pass"];

    public bool Handles(string apiVersion, string kind) =>
        apiVersion is "policy.networking.k8s.io/v1beta1" or "policy.networking.k8s.io/v1alpha2" && kind == "ClusterNetworkPolicy";

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        if (PolicyApiReading.ReadFrame(reader) is not var (meta, spec))
        {
            return;
        }

        var before = reader.ErrorCount;
        reader.OnlyFields(spec, "spec", "tier", "priority", "subject", "ingress", "egress");
        var tierText = reader.String(spec, "tier", "spec", required: true);
        if (tierText is not null and not ("Admin" or "Baseline"))
        {
            reader.Error(ObjectReader.Get(spec, "tier"), "spec.tier", $"unknown tier \"{tierText}\" (expected Admin or Baseline)");
        }

        var priority = PolicyApiReading.ReadPriority(reader, spec);
        var subject = PolicyApiReading.ReadSubject(reader, spec, namespaceSelectorRequired: false);
        var source = reader.SourceRef(null);
        var ingress = PolicyApiReading.ReadRules(reader, spec, Direction.Ingress, source, Actions, PolicyApiReading.PortSyntax.Protocols, namespaceSelectorRequired: false);
        var egress = PolicyApiReading.ReadRules(reader, spec, Direction.Egress, source, Actions, PolicyApiReading.PortSyntax.Protocols, namespaceSelectorRequired: false);
        if (reader.ErrorCount > before || subject is null || priority is null || tierText is null || !into.Claim(reader, "ClusterNetworkPolicy", null, meta.Name))
        {
            return;
        }

        var baseline = tierText == "Baseline";
        var (tierName, tierOrder, tierKind) = baseline
            ? (PolicyModel.BaselineTierName, PolicyModel.BaselineTierOrder, TierKind.Baseline)
            : (PolicyModel.AdminTierName, PolicyModel.AdminTierOrder, TierKind.Admin);
        into.EnsureTier(tierName, tierOrder, tierKind, RuleAction.Pass);
        into.AddPolicy(tierName, new Policy(meta.Name, source, subject)
        {
            Order = priority.Value,
            GovernsIngress = !ingress.IsEmpty,
            GovernsEgress = !egress.IsEmpty,
            IngressRules = ingress,
            EgressRules = egress,
        });
    }
}
