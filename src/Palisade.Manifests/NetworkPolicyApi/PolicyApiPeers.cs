using System.Collections.Immutable;
using System.Net;
using Palisade.Manifests.Kubernetes;
using Palisade.Manifests.Yaml;
using Palisade.Model;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.NetworkPolicyApi;

/// <summary>
/// Reads the peers of the SIG Network Policy API kinds: namespaces, pods, networks, nodes and domain names, with the
/// documented fail-closed reading of peers that set no field the version knows.
/// </summary>
internal static class PolicyApiPeers
{
    private static readonly string[] PodPeerFields = ["namespaces", "pods"];

    /// <summary>
    /// A <c>namespaces</c> or <c>pods</c> peer (or subject). Exactly one field must be set; <paramref name="unknownOnly"/>
    /// tells the caller the peer set only fields this version does not know, which the API says must fail closed.
    /// </summary>
    public static Peer? ReadPodPeer(ObjectReader reader, YamlMappingNode map, string path, bool namespaceSelectorRequired, out bool unknownOnly, params string[] otherKnown)
    {
        unknownOnly = false;
        var nsNode = ObjectReader.Get(map, "namespaces");
        var podsNode = ObjectReader.Get(map, "pods");
        var set = new List<string>();
        if (nsNode is not null)
        {
            set.Add("namespaces");
        }

        if (podsNode is not null)
        {
            set.Add("pods");
        }

        set.AddRange(otherKnown.Where(k => ObjectReader.Get(map, k) is not null));
        if (set.Count > 1)
        {
            reader.Error(map, path, $"exactly one field may be set, found {string.Join(" and ", set)}");
            return null;
        }

        if (set.Count == 0)
        {
            if (map.Children.Count == 0)
            {
                reader.Error(map, path, $"exactly one of {string.Join(", ", PodPeerFields.Concat(otherKnown))} must be set");
            }
            else
            {
                unknownOnly = true;
            }

            return null;
        }

        if (nsNode is not null)
        {
            var selector = reader.LabelSelector(nsNode, ObjectReader.Field(path, "namespaces"));
            if (selector is null && ObjectReader.IsNull(nsNode))
            {
                reader.Error(nsNode, ObjectReader.Field(path, "namespaces"), "expected a label selector ({} selects every namespace)");
            }

            return selector is null ? null : new Peer { NamespaceSelector = selector.ToSelector() };
        }

        if (podsNode is not null)
        {
            var podsPath = ObjectReader.Field(path, "pods");
            if (reader.Map(podsNode, podsPath) is not { } pods)
            {
                if (ObjectReader.IsNull(podsNode))
                {
                    reader.Error(podsNode, podsPath, "expected {namespaceSelector, podSelector}");
                }

                return null;
            }

            reader.OnlyFields(pods, podsPath, "namespaceSelector", "podSelector");
            var nsSelNode = ObjectReader.Get(pods, "namespaceSelector");
            var podSelNode = ObjectReader.Get(pods, "podSelector");
            if (nsSelNode is null && namespaceSelectorRequired)
            {
                reader.Error(pods, ObjectReader.Field(podsPath, "namespaceSelector"), "required field is missing");
            }

            if (podSelNode is null)
            {
                reader.Error(pods, ObjectReader.Field(podsPath, "podSelector"), "required field is missing");
            }

            var before = reader.ErrorCount;
            var nsSel = reader.LabelSelector(nsSelNode, ObjectReader.Field(podsPath, "namespaceSelector"))?.ToSelector() ?? Selector.All;
            var podSel = reader.LabelSelector(podSelNode, ObjectReader.Field(podsPath, "podSelector"))?.ToSelector() ?? Selector.All;
            return reader.ErrorCount > before ? null : new Peer { NamespaceSelector = nsSel, Selector = podSel };
        }

        return null;
    }

    public static Peer? ReadPeer(ObjectReader reader, YamlNode node, string path, Direction direction, RuleAction? action, bool namespaceSelectorRequired, out bool unknownOnly)
    {
        unknownOnly = false;
        if (reader.Map(node, path) is not { } map)
        {
            if (ObjectReader.IsNull(node))
            {
                reader.Error(node, path, "expected a peer (namespaces, pods" + (direction == Direction.Egress ? ", networks, nodes or domainNames)" : ")"));
            }

            return null;
        }

        string[] extra = direction == Direction.Egress ? ["networks", "nodes", "domainNames"] : [];
        string[] known = ["namespaces", "pods", .. extra];
        var hasKnown = known.Any(k => ObjectReader.Get(map, k) is not null);
        if (hasKnown)
        {
            reader.OnlyFields(map, path, known);
        }

        if (direction == Direction.Egress)
        {
            var setExtra = extra.Where(k => ObjectReader.Get(map, k) is not null).ToList();
            if (setExtra.Count == 1 && ObjectReader.Get(map, "namespaces") is null && ObjectReader.Get(map, "pods") is null)
            {
                return setExtra[0] switch
                {
                    "networks" => ReadNetworks(reader, map, path),
                    "nodes" => reader.LabelSelector(ObjectReader.Get(map, "nodes"), ObjectReader.Field(path, "nodes")) is { } nodes ? new Peer { NodeSelector = nodes.ToSelector() } : null,
                    _ => ReadDomainNames(reader, map, path, action),
                };
            }
        }

        return ReadPodPeer(reader, map, path, namespaceSelectorRequired, out unknownOnly, extra);
    }

    private static Peer? ReadNetworks(ObjectReader reader, YamlMappingNode map, string path)
    {
        var node = ObjectReader.Get(map, "networks");
        var fieldPath = ObjectReader.Field(path, "networks");
        var texts = reader.Strings(node, fieldPath);
        if (texts.IsEmpty)
        {
            reader.Error(node, fieldPath, "needs at least one CIDR");
            return null;
        }

        var blocks = ImmutableArray.CreateBuilder<CidrBlock>();
        for (var i = 0; i < texts.Length; i++)
        {
            var item = node is YamlSequenceNode list ? list.Children[i] : node;
            if (!CidrBlock.TryParseNetwork(texts[i], out var network, out var hostBits) || !texts[i].Contains('/', StringComparison.Ordinal))
            {
                reader.Error(item, ObjectReader.Index(fieldPath, i), $"expected a CIDR such as 10.0.0.0/8 or fd00::/8, got \"{texts[i]}\"");
                continue;
            }

            // The CRDs validate networks with CEL's isCIDR (netip.ParsePrefix): host bits are accepted, IPv4-mapped
            // IPv6 addresses are not.
            if (IPAddress.TryParse(texts[i].AsSpan(0, texts[i].IndexOf('/', StringComparison.Ordinal)), out var written) && written.IsIPv4MappedToIPv6)
            {
                reader.Error(item, ObjectReader.Index(fieldPath, i), $"\"{texts[i]}\" is an IPv4-mapped IPv6 network, which the API refuses; write it as an IPv4 CIDR");
                continue;
            }

            if (hostBits)
            {
                reader.HostBitsIgnored(item, ObjectReader.Index(fieldPath, i), texts[i], network);
            }

            blocks.Add(new CidrBlock(network));
        }

        return new Peer { Nets = blocks.ToImmutable() };
    }

    private static Peer ReadDomainNames(ObjectReader reader, YamlMappingNode map, string path, RuleAction? action)
    {
        var node = ObjectReader.Get(map, "domainNames");
        var fieldPath = ObjectReader.Field(path, "domainNames");
        var names = reader.Strings(node, fieldPath);
        if (action is RuleAction.Deny or RuleAction.Pass)
        {
            reader.Error(node, fieldPath, "domain names may only be used in Allow/Accept rules");
        }

        reader.Warning(node, fieldPath, $"domain names ({Excerpt.Of(string.Join(", ", names), 3 * Excerpt.MaxLength)}) resolve only at run time and cannot be enforced statically; analysis treats this peer as matching no traffic");
        return Peer.Nothing;
    }
}
