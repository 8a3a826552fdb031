using Palisade.Manifests.Kubernetes;
using Palisade.Manifests.Yaml;
using Palisade.Model.Policies;

namespace Palisade.Manifests.Calico;

/// <summary>Reads projectcalico.org/v3 Tier: its order (absent: after every ordered tier) and its default action.</summary>
internal sealed class CalicoTierReader : IObjectReader
{
    public bool Handles(string apiVersion, string kind) => apiVersion == CalicoFields.ApiVersion && kind == "Tier";

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        reader.OnlyFields(reader.Root, string.Empty, "apiVersion", "kind", "metadata", "spec", "status");
        var metadata = reader.Map(reader.Root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: false) is not { } meta)
        {
            return;
        }

        var before = reader.ErrorCount;
        var spec = reader.Map(reader.Root, "spec", string.Empty);
        double? order = null;
        var endAction = RuleAction.Deny;
        if (spec is not null)
        {
            reader.OnlyFields(spec, "spec", "order", "defaultAction");
            order = CalicoFields.ReadOrder(reader, spec, "spec");
            switch (reader.String(spec, "defaultAction", "spec"))
            {
                case null or "Deny": break;
                case "Pass": endAction = RuleAction.Pass; break;
                case var other:
                    reader.Error(ObjectReader.Get(spec, "defaultAction"), "spec.defaultAction", $"unknown default action \"{other}\" (expected Deny or Pass)");
                    break;
            }
        }

        if (reader.ErrorCount > before || !into.Claim(reader, "Tier", null, meta.Name))
        {
            return;
        }

        var kind = meta.Name switch
        {
            PolicyModel.AdminTierName => TierKind.Admin,
            PolicyModel.BaselineTierName => TierKind.Baseline,
            _ => TierKind.Standard,
        };
        into.AddTier(new Tier(meta.Name, order ?? double.PositiveInfinity, kind, endAction) { Source = reader.SourceRef(null) });
    }
}
