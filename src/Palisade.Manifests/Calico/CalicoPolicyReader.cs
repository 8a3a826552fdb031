using System.Collections.Immutable;
using Palisade.Manifests.Kubernetes;
using Palisade.Manifests.Yaml;
using Palisade.Model;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.Calico;

/// <summary>
/// Reads projectcalico.org/v3 NetworkPolicy and GlobalNetworkPolicy (and their staged kinds) into the model, with
/// Calico's scoping: a namespaced policy's selectors stay in its namespace unless a rule's namespaceSelector widens
/// them; a global policy's selectors reach every namespace and global network set.
/// </summary>
internal sealed class CalicoPolicyReader : IObjectReader
{
    private static readonly string[] CommonSpecFields = ["order", "tier", "selector", "serviceAccountSelector", "types", "ingress", "egress", "performanceHints"];
    private static readonly string[] HostOnlyFields = ["doNotTrack", "preDNAT", "applyOnForward"];
    private static readonly string[] RuleFields = ["action", "protocol", "notProtocol", "icmp", "notICMP", "ipVersion", "source", "destination", "http", "metadata"];
    private static readonly string[] EntityFields = ["nets", "notNets", "selector", "notSelector", "namespaceSelector", "ports", "notPorts", "serviceAccounts", "services"];

    public bool Handles(string apiVersion, string kind) =>
        apiVersion == CalicoFields.ApiVersion && kind is "NetworkPolicy" or "GlobalNetworkPolicy" or "StagedNetworkPolicy" or "StagedGlobalNetworkPolicy";

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        var global = reader.Kind.Contains("Global", StringComparison.Ordinal);
        var staged = reader.Kind.StartsWith("Staged", StringComparison.Ordinal);
        reader.OnlyFields(reader.Root, string.Empty, "apiVersion", "kind", "metadata", "spec", "status");
        var metadata = reader.Map(reader.Root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: !global) is not { } meta)
        {
            return;
        }

        var spec = reader.Map(reader.Root, "spec", string.Empty);
        if (spec is null)
        {
            reader.Error(reader.Root, "spec", "required field is missing");
            return;
        }

        var before = reader.ErrorCount;
        string[] known = [.. CommonSpecFields, .. global ? ["namespaceSelector", .. HostOnlyFields] : Array.Empty<string>(), .. staged ? ["stagedAction"] : Array.Empty<string>()];
        reader.OnlyFields(spec, "spec", known);

        // Felix puts doNotTrack and preDNAT policies in the untracked and pre-DNAT tiers, which only host endpoints get:
        // such a policy never applies to a workload, so it is left out of the model. applyOnForward alone changes nothing
        // for workloads: the policy stays a normal one.
        var hostEndpointsOnly = false;
        foreach (var field in HostOnlyFields)
        {
            if (global && ObjectReader.Get(spec, field) is { } node && !ObjectReader.IsNull(node))
            {
                reader.Warning(node, ObjectReader.Field("spec", field), "only concerns host endpoints; it is accepted and has no effect on workloads");
                hostEndpointsOnly |= field != "applyOnForward" && reader.Boolean(node, ObjectReader.Field("spec", field)) == true;
            }
        }

        var stagedDeletion = false;
        if (staged && reader.String(spec, "stagedAction", "spec") is { } stagedAction)
        {
            if (stagedAction is not ("Set" or "Delete"))
            {
                reader.Error(ObjectReader.Get(spec, "stagedAction"), "spec.stagedAction", $"unknown staged action \"{stagedAction}\" (expected Set or Delete)");
            }

            stagedDeletion = stagedAction == "Delete";
        }

        var ns = meta.Namespace;
        var tierName = reader.String(spec, "tier", "spec") ?? PolicyModel.DefaultTierName;
        var order = CalicoFields.ReadOrder(reader, spec, "spec");
        var selector = CalicoFields.ReadSelector(reader, spec, "selector", "spec") ?? Selector.All;
        var saSelector = CalicoFields.ReadSelector(reader, spec, "serviceAccountSelector", "spec");
        var nsSelector = global ? CalicoFields.ReadSelector(reader, spec, "namespaceSelector", "spec") : null;
        var ingressNode = ObjectReader.Get(spec, "ingress");
        var egressNode = ObjectReader.Get(spec, "egress");
        var source = reader.SourceRef(ns);
        var ingress = ReadRules(reader, spec, "ingress", ns, source);
        var egress = ReadRules(reader, spec, "egress", ns, source);
        var (governsIngress, governsEgress) = ReadTypes(reader, spec, ingressNode, egressNode);
        if (reader.ErrorCount > before || !into.Claim(reader, $"{CalicoFields.ApiVersion} {reader.Kind}", ns, meta.Name) || hostEndpointsOnly)
        {
            return;
        }

        var subject = new Peer
        {
            CalicoScope = true,
            Namespace = ns,
            Selector = selector,
            NamespaceSelector = nsSelector,
            ServiceAccountSelector = saSelector,
        };
        var enforcedKind = reader.Kind.Replace("Staged", string.Empty, StringComparison.Ordinal);
        into.AddPolicy(tierName, new Policy(meta.Name, source, subject)
        {
            Namespace = ns,
            Order = order ?? double.PositiveInfinity,
            GovernsIngress = governsIngress,
            GovernsEgress = governsEgress,
            IngressRules = governsIngress ? ingress : [],
            EgressRules = governsEgress ? egress : [],
            Staged = staged,
            StagedDeletion = stagedDeletion,
            StagedTarget = staged ? $"{CalicoFields.ApiVersion} {enforcedKind} {CalicoFields.QualifiedName(meta)}" : null,
        });
    }

    /// <summary>
    /// <c>types</c>, defaulted as Calico documents: Ingress and Egress when both kinds of rules are present, Egress when
    /// only egress rules are, otherwise Ingress.
    /// </summary>
    private static (bool Ingress, bool Egress) ReadTypes(ObjectReader reader, YamlMappingNode spec, YamlNode? ingressNode, YamlNode? egressNode)
    {
        var node = ObjectReader.Get(spec, "types");
        var types = reader.Strings(node, "spec.types");
        if (ObjectReader.IsNull(node))
        {
            var hasIngress = ingressNode is YamlSequenceNode { Children.Count: > 0 };
            var hasEgress = egressNode is YamlSequenceNode { Children.Count: > 0 };
            return hasEgress ? (hasIngress, true) : (true, false);
        }

        bool ingress = false, egress = false;
        for (var i = 0; i < types.Length; i++)
        {
            switch (types[i])
            {
                case "Ingress": ingress = true; break;
                case "Egress": egress = true; break;
                default:
                    reader.Error(node, ObjectReader.Index("spec.types", i), $"unknown type \"{types[i]}\" (expected Ingress or Egress)");
                    break;
            }
        }

        if (ObjectReader.Get(spec, "ingress") is YamlSequenceNode { Children.Count: > 0 } && !ingress)
        {
            reader.Error(ObjectReader.Get(spec, "ingress"), "spec.ingress", "ingress rules need \"Ingress\" in spec.types");
        }

        if (ObjectReader.Get(spec, "egress") is YamlSequenceNode { Children.Count: > 0 } && !egress)
        {
            reader.Error(ObjectReader.Get(spec, "egress"), "spec.egress", "egress rules need \"Egress\" in spec.types");
        }

        return (ingress, egress);
    }

    private static ImmutableArray<Rule> ReadRules(ObjectReader reader, YamlMappingNode spec, string field, string? ns, SourceRef source)
    {
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
                    reader.Error(list.Children[i], rulePath, "expected a rule {action, ...}");
                }

                continue;
            }

            if (ReadRule(reader, rule, rulePath, i, ns, source) is { } r)
            {
                result.Add(r);
            }
        }

        return result.ToImmutable();
    }

    private static Rule? ReadRule(ObjectReader reader, YamlMappingNode rule, string path, int index, string? ns, SourceRef source)
    {
        var before = reader.ErrorCount;
        reader.OnlyFields(rule, path, RuleFields);
        var actionText = reader.String(rule, "action", path, required: true);
        RuleAction? action = actionText switch
        {
            "Allow" => RuleAction.Allow,
            "Deny" => RuleAction.Deny,
            "Log" => RuleAction.Log,
            "Pass" => RuleAction.Pass,
            _ => null,
        };
        if (actionText is not null && action is null)
        {
            reader.Error(ObjectReader.Get(rule, "action"), ObjectReader.Field(path, "action"), $"unknown action \"{actionText}\" (expected Allow, Deny, Log or Pass)");
        }

        var protocol = CalicoFields.ReadProtocol(reader, rule, "protocol", path);
        var notProtocol = CalicoFields.ReadProtocol(reader, rule, "notProtocol", path);
        var icmp = ReadIcmp(reader, rule, "icmp", path);
        var notIcmp = ReadIcmp(reader, rule, "notICMP", path);
        if ((icmp is not null || notIcmp is not null) && protocol is not { Number: 1 or 58 })
        {
            reader.Error(rule, ObjectReader.Field(path, icmp is not null ? "icmp" : "notICMP"), "ICMP matches need protocol ICMP or ICMPv6");
        }

        int? ipVersion = null;
        if (ObjectReader.Get(rule, "ipVersion") is { } versionNode)
        {
            var v = reader.Integer(versionNode, ObjectReader.Field(path, "ipVersion"));
            if (v is not (4 or 6) && v is not null)
            {
                reader.Error(versionNode, ObjectReader.Field(path, "ipVersion"), $"must be 4 or 6, got {v}");
            }

            ipVersion = (int?)v;
        }

        if (ObjectReader.Get(rule, "http") is { } http && !ObjectReader.IsNull(http))
        {
            reader.Warning(http, ObjectReader.Field(path, "http"), "HTTP matches are enforced by the application layer; analysis judges this rule on its layer 3/4 conditions only");
        }

        var sourceMatch = ReadEntity(reader, rule, "source", path, ns, protocol);
        var destinationMatch = ReadEntity(reader, rule, "destination", path, ns, protocol);
        if (reader.ErrorCount > before || action is null || sourceMatch is null || destinationMatch is null)
        {
            return null;
        }

        return new Rule(action.Value, sourceMatch, destinationMatch, new RuleOrigin(source, path, index))
        {
            Protocol = protocol,
            NotProtocol = notProtocol,
            Icmp = icmp,
            NotIcmp = notIcmp,
            IpVersion = ipVersion,
        };
    }

    private static IcmpMatch? ReadIcmp(ObjectReader reader, YamlMappingNode rule, string field, string path)
    {
        if (reader.Map(rule, field, path) is not { } map)
        {
            return null;
        }

        var fieldPath = ObjectReader.Field(path, field);
        reader.OnlyFields(map, fieldPath, "type", "code");
        var type = reader.Integer(ObjectReader.Get(map, "type"), ObjectReader.Field(fieldPath, "type"));
        var code = reader.Integer(ObjectReader.Get(map, "code"), ObjectReader.Field(fieldPath, "code"));
        if (type is null)
        {
            if (code is not null)
            {
                reader.Error(map, ObjectReader.Field(fieldPath, "type"), "a code needs a type");
            }

            return null;
        }

        if (type is < 0 or > 254 || code is < 0 or > 255)
        {
            reader.Error(map, fieldPath, "type must be 0-254 and code 0-255");
            return null;
        }

        return new IcmpMatch((int)type, (int?)code);
    }

    private static EntityMatch? ReadEntity(ObjectReader reader, YamlMappingNode rule, string field, string rulePath, string? ns, Protocol? protocol)
    {
        var path = ObjectReader.Field(rulePath, field);
        var node = ObjectReader.Get(rule, field);
        if (ObjectReader.IsNull(node))
        {
            return EntityMatch.Any;
        }

        if (reader.Map(node, path) is not { } map)
        {
            return null;
        }

        var before = reader.ErrorCount;
        reader.OnlyFields(map, path, EntityFields);
        var nets = CalicoFields.ReadNets(reader, map, "nets", path, hostBitsAllowed: false);
        var notNets = CalicoFields.ReadNets(reader, map, "notNets", path, hostBitsAllowed: false);
        var selector = CalicoFields.ReadSelector(reader, map, "selector", path);
        var notSelector = CalicoFields.ReadSelector(reader, map, "notSelector", path);
        var nsSelector = CalicoFields.ReadSelector(reader, map, "namespaceSelector", path);
        var ports = CalicoFields.ReadPorts(reader, map, "ports", path);
        var notPorts = CalicoFields.ReadPorts(reader, map, "notPorts", path);
        if ((!ports.IsEmpty || !notPorts.IsEmpty) && protocol is not { HasPorts: true })
        {
            reader.Error(map, ObjectReader.Field(path, ports.IsEmpty ? "notPorts" : "ports"), "ports need the rule's protocol to be TCP, UDP, SCTP or UDPLite");
        }

        Selector? saSelector = null;
        var saNames = ImmutableArray<string>.Empty;
        if (reader.Map(map, "serviceAccounts", path) is { } sa)
        {
            var saPath = ObjectReader.Field(path, "serviceAccounts");
            reader.OnlyFields(sa, saPath, "names", "selector");
            saNames = reader.Strings(ObjectReader.Get(sa, "names"), ObjectReader.Field(saPath, "names"));
            saSelector = CalicoFields.ReadSelector(reader, sa, "selector", saPath);
        }

        if (ObjectReader.Get(map, "services") is { } services && !ObjectReader.IsNull(services))
        {
            reader.Error(services, ObjectReader.Field(path, "services"), "Kubernetes Service matches are not supported yet: Palisade does not read Services and their endpoints; select the pods behind the service with selector instead");
        }

        if (reader.ErrorCount > before)
        {
            return null;
        }

        var peers = ImmutableArray<Peer>.Empty;
        var hasIdentity = selector is not null || nsSelector is not null || saSelector is not null || !saNames.IsEmpty;
        if (hasIdentity)
        {
            peers =
            [
                new Peer
                {
                    CalicoScope = true,

                    // Without a namespaceSelector, a namespaced policy's selectors stay in its own namespace.
                    Namespace = nsSelector is null ? ns : null,
                    Selector = selector,
                    NamespaceSelector = nsSelector,
                    ServiceAccountSelector = saSelector,
                    ServiceAccountNames = saNames,
                    Nets = nets,
                },
            ];
        }
        else if (!nets.IsEmpty)
        {
            peers = [new Peer { Nets = nets }];
        }

        return new EntityMatch
        {
            Peers = peers,
            NotSelector = notSelector,
            NotNets = notNets,
            Ports = ports,
            NotPorts = notPorts,
        };
    }
}
