using System.Collections.Immutable;
using Palisade.Manifests.Kubernetes;
using Palisade.Manifests.Yaml;
using Palisade.Model;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.NetworkPolicyApi;

/// <summary>
/// What the SIG Network Policy API kinds share: subjects, peers (with their documented fail-closed reading of peers
/// that set no known field), rules with actions, and both generations' port syntax.
/// </summary>
internal static class PolicyApiReading
{
    private static readonly string[] PodPeerFields = ["namespaces", "pods"];
    private static readonly string[] PortFields = ["portNumber", "namedPort", "portRange"];
    private static readonly string[] ProtocolFields = ["tcp", "udp", "sctp", "destinationNamedPort"];

    /// <summary>Which port syntax a rule uses: v1alpha1 <c>ports</c> or ClusterNetworkPolicy <c>protocols</c>.</summary>
    public enum PortSyntax
    {
        Ports,
        Protocols,
    }

    /// <summary>Reads the common object frame and returns the spec, or null after reporting.</summary>
    public static (ObjectMetadata Meta, YamlMappingNode Spec)? ReadFrame(ObjectReader reader)
    {
        reader.OnlyFields(reader.Root, string.Empty, "apiVersion", "kind", "metadata", "spec", "status");
        var metadata = reader.Map(reader.Root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: false) is not { } meta)
        {
            return null;
        }

        if (reader.Namespace is not null)
        {
            reader.Warning(ObjectReader.Get(metadata, "namespace"), "metadata.namespace", $"is ignored: {reader.Kind} is cluster-scoped");
        }

        var spec = reader.Map(reader.Root, "spec", string.Empty);
        if (spec is null)
        {
            reader.Error(reader.Root, "spec", "required field is missing");
            return null;
        }

        return (meta, spec);
    }

    public static int? ReadPriority(ObjectReader reader, YamlMappingNode spec)
    {
        var node = ObjectReader.Get(spec, "priority");
        if (node is null)
        {
            reader.Error(spec, "spec.priority", "required field is missing");
            return null;
        }

        var value = reader.Integer(node, "spec.priority");
        if (value is < 0 or > 1000)
        {
            reader.Error(node, "spec.priority", $"must be between 0 and 1000, got {value}");
            return null;
        }

        return (int?)value;
    }

    /// <summary>The subject: exactly one of <c>namespaces</c> or <c>pods</c>.</summary>
    public static Peer? ReadSubject(ObjectReader reader, YamlMappingNode spec, bool namespaceSelectorRequired)
    {
        var node = ObjectReader.Get(spec, "subject");
        if (node is null)
        {
            reader.Error(spec, "spec.subject", "required field is missing");
            return null;
        }

        if (reader.Map(node, "spec.subject") is not { } subject)
        {
            return null;
        }

        reader.OnlyFields(subject, "spec.subject", "namespaces", "pods");
        var peer = ReadPodPeer(reader, subject, "spec.subject", namespaceSelectorRequired, out var unknownOnly);
        if (unknownOnly)
        {
            reader.Error(subject, "spec.subject", "exactly one of namespaces or pods must be set");
        }

        return peer;
    }

    /// <summary>
    /// A <c>namespaces</c> or <c>pods</c> peer (or subject). Exactly one field must be set; <paramref name="unknownOnly"/>
    /// tells the caller the peer set only fields this version does not know, which the API says must fail closed.
    /// </summary>
    private static Peer? ReadPodPeer(ObjectReader reader, YamlMappingNode map, string path, bool namespaceSelectorRequired, out bool unknownOnly, params string[] otherKnown)
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

    public static RuleAction? ReadAction(ObjectReader reader, YamlMappingNode rule, string path, string[] accepted)
    {
        var text = reader.String(rule, "action", path, required: true);
        if (text is null)
        {
            return null;
        }

        if (Array.IndexOf(accepted, text) < 0)
        {
            reader.Error(ObjectReader.Get(rule, "action"), ObjectReader.Field(path, "action"), $"unknown action \"{text}\" (expected {string.Join(", ", accepted)})");
            return null;
        }

        return text switch
        {
            "Allow" or "Accept" => RuleAction.Allow,
            "Deny" => RuleAction.Deny,
            _ => RuleAction.Pass,
        };
    }

    /// <summary>
    /// Reads the rules of one direction into model rules. Peers that set only unknown fields fail closed, as the API
    /// documents: for Allow/Accept the peer matches nothing; for Deny and Pass the whole rule becomes "deny all".
    /// </summary>
    public static ImmutableArray<Rule> ReadRules(
        ObjectReader reader, YamlMappingNode spec, Direction direction, SourceRef source, string[] actions, PortSyntax portSyntax, bool namespaceSelectorRequired)
    {
        var field = direction == Direction.Ingress ? "ingress" : "egress";
        var path = ObjectReader.Field("spec", field);
        var result = ImmutableArray.CreateBuilder<Rule>();
        if (reader.List(spec, field, "spec") is not { } list)
        {
            return result.ToImmutable();
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var rulePath = ObjectReader.Index(path, i);
            if (reader.Map(list.Children[i], rulePath) is not { } rule)
            {
                if (ObjectReader.IsNull(list.Children[i]))
                {
                    reader.Error(list.Children[i], rulePath, "expected a rule {name, action, " + (direction == Direction.Ingress ? "from" : "to") + ", ...}");
                }

                continue;
            }

            var peersField = direction == Direction.Ingress ? "from" : "to";
            var portsField = portSyntax == PortSyntax.Ports ? "ports" : "protocols";
            reader.OnlyFields(rule, rulePath, "name", "action", peersField, portsField);
            var name = reader.String(rule, "name", rulePath);
            if (name is { Length: > 100 })
            {
                reader.Error(ObjectReader.Get(rule, "name"), ObjectReader.Field(rulePath, "name"), "must be at most 100 characters");
            }

            var action = ReadAction(reader, rule, rulePath, actions);
            var peersPath = ObjectReader.Field(rulePath, peersField);
            var peersNode = ObjectReader.Get(rule, peersField);
            var peers = ImmutableArray.CreateBuilder<Peer>();
            var failClosed = false;
            if (peersNode is null)
            {
                reader.Error(rule, peersPath, "required field is missing (at least one peer)");
            }
            else if (reader.List(peersNode, peersPath) is { } peerList)
            {
                if (peerList.Children.Count == 0)
                {
                    reader.Error(peerList, peersPath, "needs at least one peer");
                }

                for (var p = 0; p < peerList.Children.Count; p++)
                {
                    var peerPath = ObjectReader.Index(peersPath, p);
                    var peer = ReadPeer(reader, peerList.Children[p], peerPath, direction, action, namespaceSelectorRequired, out var unknownOnly);
                    if (unknownOnly)
                    {
                        failClosed = true;
                        if (action == RuleAction.Allow)
                        {
                            reader.Warning(peerList.Children[p], peerPath, "sets no field this version of the API defines; it fails closed and matches no traffic");
                            peers.Add(Peer.Nothing);
                        }
                        else
                        {
                            reader.Warning(peerList.Children[p], peerPath, "sets no field this version of the API defines; it fails closed: the rule is read as \"deny all\"");
                        }
                    }
                    else if (peer is not null)
                    {
                        peers.Add(peer);
                    }
                }
            }

            var ports = portSyntax == PortSyntax.Ports
                ? ReadPorts(reader, rule, rulePath)
                : ReadProtocols(reader, rule, rulePath);
            if (action is not { } a)
            {
                continue;
            }

            if (direction == Direction.Egress && ports.Any(p => p.IsNamed) && peers.Any(p => !p.Nets.IsEmpty || p.NodeSelector is not null))
            {
                reader.Error(rule, ObjectReader.Field(rulePath, portsField), "named ports cannot be used with networks or nodes peers, which have no named ports");
            }

            var origin = new RuleOrigin(source, rulePath, i, string.IsNullOrEmpty(name) ? null : name);
            if (failClosed && a != RuleAction.Allow)
            {
                result.Add(new Rule(RuleAction.Deny, EntityMatch.Any, EntityMatch.Any, origin));
                continue;
            }

            var peerMatch = new EntityMatch { Peers = peers.ToImmutable() };
            result.Add(direction == Direction.Ingress
                ? new Rule(a, peerMatch, new EntityMatch { Ports = ports }, origin)
                : new Rule(a, EntityMatch.Any, peerMatch with { Ports = ports }, origin));
        }

        return result.ToImmutable();
    }

    private static Peer? ReadPeer(ObjectReader reader, YamlNode node, string path, Direction direction, RuleAction? action, bool namespaceSelectorRequired, out bool unknownOnly)
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
            if (!CidrBlock.TryParseNetwork(texts[i], out var network, out var normalized) || !texts[i].Contains('/', StringComparison.Ordinal))
            {
                reader.Error(node, ObjectReader.Index(fieldPath, i), $"expected a CIDR such as 10.0.0.0/8 or fd00::/8, got \"{texts[i]}\"");
                continue;
            }

            if (normalized)
            {
                reader.Error(node, ObjectReader.Index(fieldPath, i), $"\"{texts[i]}\" has host bits set; write the network address {network}");
                continue;
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

    private static ImmutableArray<PortMatch> ReadPorts(ObjectReader reader, YamlMappingNode rule, string rulePath)
    {
        var path = ObjectReader.Field(rulePath, "ports");
        var node = ObjectReader.Get(rule, "ports");
        var result = ImmutableArray.CreateBuilder<PortMatch>();
        if (reader.List(node, path) is not { } list)
        {
            return result.ToImmutable();
        }

        if (list.Children.Count == 0)
        {
            reader.Error(list, path, "needs at least one port when set");
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemPath = ObjectReader.Index(path, i);
            if (reader.Map(list.Children[i], itemPath) is not { } item)
            {
                continue;
            }

            reader.OnlyFields(item, itemPath, "portNumber", "namedPort", "portRange");
            var set = PortFields.Where(k => ObjectReader.Get(item, k) is not null).ToList();
            if (set.Count != 1)
            {
                reader.Error(item, itemPath, set.Count == 0 ? "exactly one of portNumber, namedPort or portRange must be set" : $"exactly one field may be set, found {string.Join(" and ", set)}");
                continue;
            }

            switch (set[0])
            {
                case "portNumber":
                {
                    var p = reader.Map(item, "portNumber", itemPath);
                    var pPath = ObjectReader.Field(itemPath, "portNumber");
                    if (p is null)
                    {
                        continue;
                    }

                    reader.OnlyFields(p, pPath, "protocol", "port");
                    var protocol = ReadProtocolName(reader, p, pPath);
                    var port = ReadPortNumber(reader, p, "port", pPath);
                    if (protocol is { } proto && port is { } n)
                    {
                        result.Add(PortMatch.Single(n, proto));
                    }

                    break;
                }

                case "namedPort":
                {
                    var name = reader.String(ObjectReader.Get(item, "namedPort"), ObjectReader.Field(itemPath, "namedPort"));
                    if (name is not null && PortNames.Error(name) is { } error)
                    {
                        reader.Error(ObjectReader.Get(item, "namedPort"), ObjectReader.Field(itemPath, "namedPort"), $"invalid port name \"{name}\": {error}");
                    }
                    else if (name is not null)
                    {
                        result.Add(PortMatch.Named(name));
                    }

                    break;
                }

                default:
                {
                    var r = reader.Map(item, "portRange", itemPath);
                    var rPath = ObjectReader.Field(itemPath, "portRange");
                    if (r is null)
                    {
                        continue;
                    }

                    reader.OnlyFields(r, rPath, "protocol", "start", "end");
                    var protocol = ReadProtocolName(reader, r, rPath);
                    if (protocol is { } proto && ReadRange(reader, r, rPath) is { } range)
                    {
                        result.Add(PortMatch.Range(range.Start, range.End, proto));
                    }

                    break;
                }
            }
        }

        return result.ToImmutable();
    }

    private static ImmutableArray<PortMatch> ReadProtocols(ObjectReader reader, YamlMappingNode rule, string rulePath)
    {
        var path = ObjectReader.Field(rulePath, "protocols");
        var node = ObjectReader.Get(rule, "protocols");
        var result = ImmutableArray.CreateBuilder<PortMatch>();
        if (reader.List(node, path) is not { } list)
        {
            return result.ToImmutable();
        }

        if (list.Children.Count == 0)
        {
            reader.Error(list, path, "needs at least one protocol match when set");
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemPath = ObjectReader.Index(path, i);
            if (reader.Map(list.Children[i], itemPath) is not { } item)
            {
                continue;
            }

            reader.OnlyFields(item, itemPath, "tcp", "udp", "sctp", "destinationNamedPort");
            var set = ProtocolFields.Where(k => ObjectReader.Get(item, k) is not null).ToList();
            if (set.Count != 1)
            {
                reader.Error(item, itemPath, set.Count == 0 ? "exactly one of tcp, udp, sctp or destinationNamedPort must be set" : $"exactly one field may be set, found {string.Join(" and ", set)}");
                continue;
            }

            if (set[0] == "destinationNamedPort")
            {
                var nameNode = ObjectReader.Get(item, "destinationNamedPort");
                var name = reader.String(nameNode, ObjectReader.Field(itemPath, "destinationNamedPort"));
                if (name is not null && PortNames.Error(name) is { } error)
                {
                    reader.Error(nameNode, ObjectReader.Field(itemPath, "destinationNamedPort"), $"invalid port name \"{name}\": {error}");
                }
                else if (name is not null)
                {
                    result.Add(PortMatch.Named(name));
                }

                continue;
            }

            var protocol = set[0] switch { "tcp" => Protocol.Tcp, "udp" => Protocol.Udp, _ => Protocol.Sctp };
            var protoPath = ObjectReader.Field(itemPath, set[0]);
            if (reader.Map(item, set[0], itemPath) is not { } proto)
            {
                reader.Error(item, protoPath, "expected {destinationPort: {number: N} or {range: {start, end}}}");
                continue;
            }

            reader.OnlyFields(proto, protoPath, "destinationPort");
            var dpPath = ObjectReader.Field(protoPath, "destinationPort");
            if (reader.Map(proto, "destinationPort", protoPath) is not { } dp)
            {
                reader.Error(proto, dpPath, "required: the match needs at least one field (destinationPort)");
                continue;
            }

            reader.OnlyFields(dp, dpPath, "number", "range");
            var hasNumber = ObjectReader.Get(dp, "number") is not null;
            var hasRange = ObjectReader.Get(dp, "range") is not null;
            if (hasNumber == hasRange)
            {
                reader.Error(dp, dpPath, "exactly one of number or range must be set");
                continue;
            }

            if (hasNumber)
            {
                if (ReadPortNumber(reader, dp, "number", dpPath) is { } n)
                {
                    result.Add(PortMatch.Single(n, protocol));
                }
            }
            else if (reader.Map(dp, "range", dpPath) is { } r)
            {
                reader.OnlyFields(r, ObjectReader.Field(dpPath, "range"), "start", "end");
                if (ReadRange(reader, r, ObjectReader.Field(dpPath, "range")) is { } range)
                {
                    result.Add(PortMatch.Range(range.Start, range.End, protocol));
                }
            }
        }

        return result.ToImmutable();
    }

    private static Protocol? ReadProtocolName(ObjectReader reader, YamlMappingNode map, string path)
    {
        var text = reader.String(map, "protocol", path) ?? "TCP";
        switch (text)
        {
            case "TCP": return Protocol.Tcp;
            case "UDP": return Protocol.Udp;
            case "SCTP": return Protocol.Sctp;
            default:
                reader.Error(ObjectReader.Get(map, "protocol"), ObjectReader.Field(path, "protocol"), $"unsupported protocol \"{text}\" (expected TCP, UDP or SCTP)");
                return null;
        }
    }

    private static int? ReadPortNumber(ObjectReader reader, YamlMappingNode map, string field, string path)
    {
        var node = ObjectReader.Get(map, field);
        if (node is null)
        {
            reader.Error(map, ObjectReader.Field(path, field), "required field is missing");
            return null;
        }

        var n = reader.Integer(node, ObjectReader.Field(path, field));
        if (n is < 1 or > 65535)
        {
            reader.Error(node, ObjectReader.Field(path, field), $"must be between 1 and 65535, got {n}");
            return null;
        }

        return (int?)n;
    }

    private static (int Start, int End)? ReadRange(ObjectReader reader, YamlMappingNode map, string path)
    {
        var start = ReadPortNumber(reader, map, "start", path);
        var end = ReadPortNumber(reader, map, "end", path);
        if (start is null || end is null)
        {
            return null;
        }

        if (start >= end)
        {
            reader.Error(ObjectReader.Get(map, "end"), ObjectReader.Field(path, "end"), $"must be greater than start ({start}), got {end}");
            return null;
        }

        return (start.Value, end.Value);
    }
}
