using Palisade.Manifests.Kubernetes;
using Palisade.Manifests.Yaml;
using Palisade.Model.Cluster;

namespace Palisade.Manifests.Calico;

/// <summary>Reads projectcalico.org/v3 NetworkSet and GlobalNetworkSet: labelled address ranges that policies select.</summary>
internal sealed class CalicoNetworkSetReader : IObjectReader
{
    public bool Handles(string apiVersion, string kind) => apiVersion == CalicoFields.ApiVersion && kind is "NetworkSet" or "GlobalNetworkSet";

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        var global = reader.Kind == "GlobalNetworkSet";
        reader.OnlyFields(reader.Root, string.Empty, "apiVersion", "kind", "metadata", "spec", "status");
        var metadata = reader.Map(reader.Root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: !global) is not { } meta)
        {
            return;
        }

        var before = reader.ErrorCount;
        var spec = reader.Map(reader.Root, "spec", string.Empty);
        var nets = System.Collections.Immutable.ImmutableArray<Model.Policies.CidrBlock>.Empty;
        if (spec is not null)
        {
            reader.OnlyFields(spec, "spec", "nets", "allowedEgressDomains");
            nets = CalicoFields.ReadNets(reader, spec, "nets", "spec", hostBitsAllowed: true);
            if (ObjectReader.Get(spec, "allowedEgressDomains") is { } domains && !ObjectReader.IsNull(domains))
            {
                reader.Warning(domains, "spec.allowedEgressDomains", "domain names resolve only at run time; analysis uses the set's nets only");
            }
        }

        if (reader.ErrorCount > before || !into.Claim(reader, reader.Kind, meta.Namespace, meta.Name))
        {
            return;
        }

        into.AddNetworkSet(new NetworkSetInfo(meta.Namespace, meta.Name, meta.Labels, new(nets)) { Source = reader.SourceRef(meta.Namespace) });
    }
}
