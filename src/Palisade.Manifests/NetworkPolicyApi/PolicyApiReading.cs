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
/// What the SIG Network Policy API kinds share in their frame: metadata, priority, subject, and rules with actions.
/// Peers (<see cref="PolicyApiPeers"/>) and both generations' port syntax (<see cref="PolicyApiPorts"/>) are read apart.
/// </summary>
internal static class PolicyApiReading
{
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
        var peer = PolicyApiPeers.ReadPodPeer(reader, subject, "spec.subject", namespaceSelectorRequired, out var unknownOnly);
        if (unknownOnly)
        {
            reader.Error(subject, "spec.subject", "exactly one of namespaces or pods must be set");
        }

        return peer;
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
                    var peer = PolicyApiPeers.ReadPeer(reader, peerList.Children[p], peerPath, direction, action, namespaceSelectorRequired, out var unknownOnly);
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
                ? PolicyApiPorts.ReadPorts(reader, rule, rulePath)
                : PolicyApiPorts.ReadProtocols(reader, rule, rulePath);
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
}
