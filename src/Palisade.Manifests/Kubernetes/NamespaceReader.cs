using Palisade.Manifests.Yaml;
using Palisade.Model.Cluster;

namespace Palisade.Manifests.Kubernetes;

/// <summary>Reads v1 Namespace; Kubernetes always labels a namespace with its own name, and so do we.</summary>
internal sealed class NamespaceReader : IObjectReader
{
    public bool Handles(string apiVersion, string kind) => apiVersion == "v1" && kind == "Namespace";

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        var metadata = reader.Map(reader.Root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: false) is not { } meta)
        {
            return;
        }

        if (Model.LabelSyntax.DnsLabelError(meta.Name) is { } error)
        {
            reader.Error(ObjectReader.Get(metadata, "name"), "metadata.name", $"invalid namespace name \"{meta.Name}\": {error}");
            return;
        }

        if (!into.Claim(reader, "Namespace", null, meta.Name))
        {
            return;
        }

        var labels = meta.Labels;
        if (labels.TryGetValue(NamespaceInfo.NameLabel, out var given) && given != meta.Name)
        {
            reader.Warning(metadata, $"metadata.labels[{NamespaceInfo.NameLabel}]", $"is \"{given}\"; Kubernetes always sets it to the namespace's name, \"{meta.Name}\", which is used");
        }

        into.AddNamespace(new NamespaceInfo(meta.Name, labels.With(NamespaceInfo.NameLabel, meta.Name)) { Source = reader.SourceRef(null) });
    }
}
