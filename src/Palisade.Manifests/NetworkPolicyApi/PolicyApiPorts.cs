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
/// Reads the ports of a SIG Network Policy API rule in both generations' syntax: v1alpha1 <c>ports</c> (portNumber,
/// namedPort, portRange) and ClusterNetworkPolicy <c>protocols</c> (tcp, udp, sctp, destinationNamedPort).
/// </summary>
internal static class PolicyApiPorts
{
    private static readonly string[] PortFields = ["portNumber", "namedPort", "portRange"];
    private static readonly string[] ProtocolFields = ["tcp", "udp", "sctp", "destinationNamedPort"];

    public static ImmutableArray<PortMatch> ReadPorts(ObjectReader reader, YamlMappingNode rule, string rulePath)
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

    public static ImmutableArray<PortMatch> ReadProtocols(ObjectReader reader, YamlMappingNode rule, string rulePath)
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
