using System.Net;
using Palisade.Manifests.Yaml;
using Palisade.Model.Cluster;

namespace Palisade.Manifests.Kubernetes;

/// <summary>Reads v1 Node: labels (for node peers) and status.addresses (the addresses such peers match).</summary>
internal sealed class NodeReader : IObjectReader
{
    public bool Handles(string apiVersion, string kind) => apiVersion == "v1" && kind == "Node";

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        var metadata = reader.Map(reader.Root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: false) is not { } meta)
        {
            return;
        }

        var before = reader.ErrorCount;
        var addresses = new List<IPAddress>();
        if (reader.Map(reader.Root, "status", string.Empty) is { } status && reader.List(status, "addresses", "status") is { } list)
        {
            for (var i = 0; i < list.Children.Count; i++)
            {
                var path = ObjectReader.Index("status.addresses", i);
                if (reader.Map(list.Children[i], path) is not { } entry)
                {
                    continue;
                }

                var type = reader.String(entry, "type", path);
                var text = reader.String(entry, "address", path, required: true);
                if (type is "Hostname" or "InternalDNS" or "ExternalDNS" || text is null)
                {
                    continue;
                }

                if (!IPAddress.TryParse(text, out var ip))
                {
                    reader.Error(ObjectReader.Get(entry, "address"), ObjectReader.Field(path, "address"), $"expected an IP address, got \"{text}\"");
                    continue;
                }

                addresses.Add(ip);
            }
        }

        if (reader.ErrorCount > before || !into.Claim(reader, "Node", null, meta.Name))
        {
            return;
        }

        into.AddNode(new NodeInfo(meta.Name, meta.Labels) { Addresses = new(addresses), Source = reader.SourceRef(null) });
    }
}
