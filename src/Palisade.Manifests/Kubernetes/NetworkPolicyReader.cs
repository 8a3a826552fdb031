using System.Collections.Immutable;
using System.Net;
using Palisade.Manifests.Yaml;
using Palisade.Model;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.Kubernetes;

/// <summary>
/// Reads networking.k8s.io/v1 NetworkPolicy, validating as the API server does, and compiles it into the model exactly as
/// the specification says: a policy of Calico's default tier whose rules all allow, isolating the selected pods in the
/// directions its (defaulted) policyTypes name.
/// </summary>
internal sealed class NetworkPolicyReader : IObjectReader
{
    public bool Handles(string apiVersion, string kind) =>
        (apiVersion == "networking.k8s.io/v1" && kind == "NetworkPolicy") ||
        (apiVersion == "projectcalico.org/v3" && kind == "StagedKubernetesNetworkPolicy");

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        var root = reader.Root;
        reader.OnlyFields(root, string.Empty, "apiVersion", "kind", "metadata", "spec", "status");
        var metadata = reader.Map(root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: true) is not { } meta)
        {
            return;
        }

        var ns = meta.Namespace!;
        var source = reader.SourceRef(ns);
        var before = reader.ErrorCount;
        var spec = reader.Map(root, "spec", string.Empty);
        if (spec is null)
        {
            reader.Error(root, "spec", "required field is missing");
            return;
        }

        var staged = reader.Kind == "StagedKubernetesNetworkPolicy";
        var stagedDeletion = false;
        if (staged)
        {
            reader.OnlyFields(spec, "spec", "podSelector", "policyTypes", "ingress", "egress", "stagedAction");
            var stagedAction = reader.String(spec, "stagedAction", "spec") ?? "Set";
            if (stagedAction is not ("Set" or "Delete"))
            {
                reader.Error(ObjectReader.Get(spec, "stagedAction"), "spec.stagedAction", $"unknown staged action \"{stagedAction}\" (expected Set or Delete)");
            }

            stagedDeletion = stagedAction == "Delete";
        }
        else
        {
            reader.OnlyFields(spec, "spec", "podSelector", "policyTypes", "ingress", "egress");
        }

        // A null or missing podSelector selects every pod of the namespace, like {} (upstream sends "podSelector: null").
        var podSelector = reader.LabelSelector(ObjectReader.Get(spec, "podSelector"), "spec.podSelector")?.ToSelector() ?? Selector.All;
        var ingressNode = ObjectReader.Get(spec, "ingress");
        var egressNode = ObjectReader.Get(spec, "egress");
        var ingress = reader.List(ingressNode, "spec.ingress");
        var egress = reader.List(egressNode, "spec.egress");

        var (governsIngress, governsEgress) = ReadPolicyTypes(reader, spec, egress);
        var ingressRules = ImmutableArray.CreateBuilder<Rule>();
        var egressRules = ImmutableArray.CreateBuilder<Rule>();
        if (ingress is not null)
        {
            for (var i = 0; i < ingress.Children.Count; i++)
            {
                if (ReadRule(reader, ingress.Children[i], ObjectReader.Index("spec.ingress", i), i, Direction.Ingress, ns, source) is { } rule)
                {
                    ingressRules.Add(rule);
                }
            }

            if (!governsIngress && ingress.Children.Count > 0)
            {
                reader.Warning(ingressNode, "spec.ingress", "is ignored: spec.policyTypes does not include Ingress");
            }
        }

        if (egress is not null)
        {
            for (var i = 0; i < egress.Children.Count; i++)
            {
                if (ReadRule(reader, egress.Children[i], ObjectReader.Index("spec.egress", i), i, Direction.Egress, ns, source) is { } rule)
                {
                    egressRules.Add(rule);
                }
            }

            if (!governsEgress && egress.Children.Count > 0)
            {
                reader.Warning(egressNode, "spec.egress", "is ignored: spec.policyTypes does not include Egress");
            }
        }

        if (reader.ErrorCount > before || !into.Claim(reader, reader.Kind, ns, meta.Name))
        {
            return;
        }

        into.AddPolicy(PolicyModel.DefaultTierName, new Policy(meta.Name, source, new Peer { Namespace = ns, Selector = podSelector })
        {
            Namespace = ns,
            Order = PolicyModel.KubernetesPolicyOrder,
            GovernsIngress = governsIngress,
            GovernsEgress = governsEgress,
            IngressRules = governsIngress ? ingressRules.ToImmutable() : [],
            EgressRules = governsEgress ? egressRules.ToImmutable() : [],
            Staged = staged,
            StagedDeletion = stagedDeletion,
            StagedTarget = staged ? $"networking.k8s.io/v1 NetworkPolicy {ns}/{meta.Name}" : null,
        });
    }

    /// <summary>
    /// policyTypes, defaulted as the API server does when absent or empty: Ingress always, and Egress when spec.egress
    /// has at least one rule.
    /// </summary>
    private static (bool Ingress, bool Egress) ReadPolicyTypes(ObjectReader reader, YamlMappingNode spec, YamlSequenceNode? egress)
    {
        var node = ObjectReader.Get(spec, "policyTypes");
        var types = reader.Strings(node, "spec.policyTypes");
        if (types.IsEmpty)
        {
            return (true, egress is { Children.Count: > 0 });
        }

        bool ingress = false, egressType = false;
        for (var i = 0; i < types.Length; i++)
        {
            switch (types[i])
            {
                case "Ingress" when !ingress: ingress = true; break;
                case "Egress" when !egressType: egressType = true; break;
                case "Ingress" or "Egress":
                    reader.Error(node, ObjectReader.Index("spec.policyTypes", i), $"\"{types[i]}\" is listed twice");
                    break;
                default:
                    reader.Error(node, ObjectReader.Index("spec.policyTypes", i), $"unknown policy type \"{types[i]}\" (expected Ingress or Egress)");
                    break;
            }
        }

        return (ingress, egressType);
    }

    private static Rule? ReadRule(ObjectReader reader, YamlNode node, string path, int index, Direction direction, string ns, SourceRef source)
    {
        var peersField = direction == Direction.Ingress ? "from" : "to";
        var map = reader.Map(node, path);
        if (map is null && !ObjectReader.IsNull(node))
        {
            return null;
        }

        // A null rule ("- " in YAML) reads as {}: from everywhere, on every port.
        var peers = ImmutableArray.CreateBuilder<Peer>();
        var ports = ImmutableArray.CreateBuilder<PortMatch>();
        if (map is not null)
        {
            reader.OnlyFields(map, path, peersField, "ports");
            if (reader.List(map, peersField, path) is { } peerList)
            {
                for (var i = 0; i < peerList.Children.Count; i++)
                {
                    if (ReadPeer(reader, peerList.Children[i], ObjectReader.Index(ObjectReader.Field(path, peersField), i), ns) is { } peer)
                    {
                        peers.Add(peer);
                    }
                }
            }

            if (reader.List(map, "ports", path) is { } portList)
            {
                for (var i = 0; i < portList.Children.Count; i++)
                {
                    if (ReadPort(reader, portList.Children[i], ObjectReader.Index(ObjectReader.Field(path, "ports"), i)) is { } port)
                    {
                        ports.Add(port);
                    }
                }
            }
        }

        var peerMatch = new EntityMatch { Peers = peers.ToImmutable() };
        var portMatch = new EntityMatch { Ports = ports.ToImmutable() };
        var origin = new RuleOrigin(source, path, index);
        return direction == Direction.Ingress
            ? new Rule(RuleAction.Allow, peerMatch, portMatch, origin)
            : new Rule(RuleAction.Allow, EntityMatch.Any, peerMatch with { Ports = ports.ToImmutable() }, origin);
    }

    private static Peer? ReadPeer(ObjectReader reader, YamlNode node, string path, string ns)
    {
        var map = reader.Map(node, path);
        if (map is null)
        {
            if (ObjectReader.IsNull(node))
            {
                reader.Error(node, path, "a peer must set podSelector, namespaceSelector or ipBlock");
            }

            return null;
        }

        reader.OnlyFields(map, path, "podSelector", "namespaceSelector", "ipBlock");
        var podNode = ObjectReader.Get(map, "podSelector");
        var nsNode = ObjectReader.Get(map, "namespaceSelector");
        var ipNode = ObjectReader.Get(map, "ipBlock");
        var hasPod = !ObjectReader.IsNull(podNode);
        var hasNs = !ObjectReader.IsNull(nsNode);
        var hasIp = !ObjectReader.IsNull(ipNode);
        if (!hasPod && !hasNs && !hasIp)
        {
            reader.Error(map, path, "a peer must set podSelector, namespaceSelector or ipBlock");
            return null;
        }

        if (hasIp && (hasPod || hasNs))
        {
            reader.Error(ipNode, ObjectReader.Field(path, "ipBlock"), "may not be combined with podSelector or namespaceSelector in the same peer; make it a separate list item");
            return null;
        }

        if (hasIp)
        {
            return ReadIpBlock(reader, ipNode!, ObjectReader.Field(path, "ipBlock")) is { } block ? new Peer { Nets = ImmutableArray.Create(block) } : null;
        }

        var before = reader.ErrorCount;
        var pods = hasPod ? reader.LabelSelector(podNode, ObjectReader.Field(path, "podSelector"))?.ToSelector() : Selector.All;
        var namespaces = hasNs ? reader.LabelSelector(nsNode, ObjectReader.Field(path, "namespaceSelector"))?.ToSelector() : null;
        if (reader.ErrorCount > before || pods is null)
        {
            return null;
        }

        // podSelector alone means pods of the policy's own namespace; with namespaceSelector, pods of those namespaces.
        return namespaces is null
            ? new Peer { Namespace = ns, Selector = pods }
            : new Peer { NamespaceSelector = namespaces, Selector = pods };
    }

    private static CidrBlock? ReadIpBlock(ObjectReader reader, YamlNode node, string path)
    {
        if (reader.Map(node, path) is not { } map)
        {
            return null;
        }

        reader.OnlyFields(map, path, "cidr", "except");
        var cidrText = reader.String(map, "cidr", path, required: true);
        if (cidrText is null)
        {
            return null;
        }

        if (!CidrBlock.TryParseNetwork(cidrText, out var cidr, out var cidrHostBits) || !cidrText.Contains('/', StringComparison.Ordinal))
        {
            reader.Error(ObjectReader.Get(map, "cidr"), ObjectReader.Field(path, "cidr"), $"expected a CIDR such as 10.0.0.0/16 or 2001:db8::/64, got \"{cidrText}\"");
            return null;
        }

        // The API server accepts host bits in ipBlock (it only warns, unless the alpha StrictIPCIDRValidation gate is
        // on) and plugins read the network, as net.ParseCIDR does.
        if (cidrHostBits)
        {
            reader.HostBitsIgnored(ObjectReader.Get(map, "cidr"), ObjectReader.Field(path, "cidr"), cidrText, cidr);
        }

        var exceptNode = ObjectReader.Get(map, "except");
        var exceptTexts = reader.Strings(exceptNode, ObjectReader.Field(path, "except"));
        var excepts = ImmutableArray.CreateBuilder<IPNetwork>();
        var ok = true;
        for (var i = 0; i < exceptTexts.Length; i++)
        {
            var itemPath = ObjectReader.Index(ObjectReader.Field(path, "except"), i);
            if (!CidrBlock.TryParseNetwork(exceptTexts[i], out var ex, out var exceptHostBits) || !exceptTexts[i].Contains('/', StringComparison.Ordinal))
            {
                reader.Error(exceptNode, itemPath, $"expected a CIDR such as 10.0.1.0/24, got \"{exceptTexts[i]}\"");
                ok = false;
            }
            else if (ex.BaseAddress.AddressFamily != cidr.BaseAddress.AddressFamily || !cidr.Contains(ex.BaseAddress) || ex.PrefixLength <= cidr.PrefixLength)
            {
                reader.Error(exceptNode, itemPath, $"{exceptTexts[i]} must be a strict subset of the cidr {cidr}");
                ok = false;
            }
            else
            {
                if (exceptHostBits)
                {
                    reader.HostBitsIgnored(exceptNode is YamlSequenceNode list ? list.Children[i] : exceptNode, itemPath, exceptTexts[i], ex);
                }

                excepts.Add(ex);
            }
        }

        return ok ? new CidrBlock(cidr, excepts.ToImmutable()) : null;
    }

    private static PortMatch? ReadPort(ObjectReader reader, YamlNode node, string path)
    {
        var map = reader.Map(node, path);
        if (map is null)
        {
            if (ObjectReader.IsNull(node))
            {
                // "- {}" and "- " both mean: every TCP port.
                return PortMatch.AnyPort(Protocol.Tcp);
            }

            return null;
        }

        reader.OnlyFields(map, path, "protocol", "port", "endPort");
        var protocolText = reader.String(map, "protocol", path) ?? "TCP";
        Protocol protocol;
        switch (protocolText)
        {
            case "TCP": protocol = Protocol.Tcp; break;
            case "UDP": protocol = Protocol.Udp; break;
            case "SCTP": protocol = Protocol.Sctp; break;
            default:
                reader.Error(ObjectReader.Get(map, "protocol"), ObjectReader.Field(path, "protocol"), $"unsupported protocol \"{protocolText}\" (expected TCP, UDP or SCTP)");
                return null;
        }

        var portNode = ObjectReader.Get(map, "port");
        var endNode = ObjectReader.Get(map, "endPort");
        var end = reader.Integer(endNode, ObjectReader.Field(path, "endPort"));
        if (ObjectReader.IsNull(portNode))
        {
            if (!ObjectReader.IsNull(endNode))
            {
                reader.Error(endNode, ObjectReader.Field(path, "endPort"), "may not be set without a numeric port");
                return null;
            }

            return PortMatch.AnyPort(protocol);
        }

        if (portNode is YamlScalarNode scalar && Scalars.TryGetInteger(scalar, out var number))
        {
            if (number is < 1 or > 65535)
            {
                reader.Error(portNode, ObjectReader.Field(path, "port"), $"must be between 1 and 65535, got {number}");
                return null;
            }

            if (end is { } e)
            {
                if (e < number || e > 65535)
                {
                    reader.Error(endNode, ObjectReader.Field(path, "endPort"), $"must be between port ({number}) and 65535, got {e}");
                    return null;
                }

                return PortMatch.Range((int)number, (int)e, protocol);
            }

            return PortMatch.Single((int)number, protocol);
        }

        var name = reader.String(portNode, ObjectReader.Field(path, "port"));
        if (name is null)
        {
            return null;
        }

        if (PortNames.Error(name) is { } nameError)
        {
            reader.Error(portNode, ObjectReader.Field(path, "port"), $"expected a port number (1-65535) or a port name, got \"{name}\": {nameError}");
            return null;
        }

        if (!ObjectReader.IsNull(endNode))
        {
            reader.Error(endNode, ObjectReader.Field(path, "endPort"), "may not be set when port is a named port");
            return null;
        }

        return PortMatch.Named(name, protocol);
    }
}
