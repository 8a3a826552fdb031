using Palisade.Manifests.Yaml;
using Palisade.Model.Cluster;

namespace Palisade.Manifests.Kubernetes;

/// <summary>Reads v1 ServiceAccount, whose labels service-account selectors match.</summary>
internal sealed class ServiceAccountReader : IObjectReader
{
    public bool Handles(string apiVersion, string kind) => apiVersion == "v1" && kind == "ServiceAccount";

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        var metadata = reader.Map(reader.Root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: true) is not { } meta ||
            !into.Claim(reader, "ServiceAccount", meta.Namespace, meta.Name))
        {
            return;
        }

        into.AddServiceAccount(new ServiceAccountInfo(meta.Namespace!, meta.Name, meta.Labels) { Source = reader.SourceRef(meta.Namespace) });
    }
}
