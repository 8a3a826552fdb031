using System.Collections.Immutable;
using System.Globalization;
using Palisade.Manifests.Kubernetes;
using Palisade.Manifests.Yaml;
using Palisade.Model;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.Calico;

/// <summary>Reading of Calico's field types: selector expressions, nets, ports ("80", "80:90", names), protocols, numbers.</summary>
internal static class CalicoFields
{
    public const string ApiVersion = "projectcalico.org/v3";

    /// <summary>A Calico selector expression; parse errors name the position inside the expression.</summary>
    public static Selector? ReadSelector(ObjectReader reader, YamlMappingNode map, string field, string path)
    {
        var node = ObjectReader.Get(map, field);
        var text = reader.String(node, ObjectReader.Field(path, field));
        if (text is null)
        {
            return null;
        }

        if (!Selector.TryParse(text, out var selector, out var error))
        {
            reader.Error(node, ObjectReader.Field(path, field), error.Message);
            return null;
        }

        return selector;
    }

    /// <summary>A list of CIDRs (or bare addresses, which Calico reads as /32 or /128).</summary>
    /// <param name="hostBitsAllowed">
    /// Calico validates a rule's nets and notNets as strictly masked networks (its "net" validator) and refuses host bits,
    /// but a network set's nets as any CIDR (its "cidr" validator), which it reads as the network.
    /// </param>
    public static ImmutableArray<CidrBlock> ReadNets(ObjectReader reader, YamlMappingNode map, string field, string path, bool hostBitsAllowed)
    {
        var node = ObjectReader.Get(map, field);
        var fieldPath = ObjectReader.Field(path, field);
        var texts = reader.Strings(node, fieldPath);
        var result = ImmutableArray.CreateBuilder<CidrBlock>(texts.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            var item = node is YamlSequenceNode list ? list.Children[i] : node;
            if (!CidrBlock.TryParseNetwork(texts[i], out var network, out var hostBits))
            {
                reader.Error(item, ObjectReader.Index(fieldPath, i), $"expected a CIDR such as 10.0.0.0/8 or an IP address, got \"{texts[i]}\"");
                continue;
            }

            if (hostBits && !hostBitsAllowed)
            {
                reader.Error(item, ObjectReader.Index(fieldPath, i), $"\"{texts[i]}\" has host bits set, which Calico refuses in a rule; write the network {network}");
                continue;
            }

            if (hostBits)
            {
                reader.HostBitsIgnored(item, ObjectReader.Index(fieldPath, i), texts[i], network);
            }

            result.Add(new CidrBlock(network));
        }

        return result.ToImmutable();
    }

    /// <summary>A protocol: a name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite) or a number 1–255.</summary>
    public static Protocol? ReadProtocol(ObjectReader reader, YamlMappingNode map, string field, string path)
    {
        var node = ObjectReader.Get(map, field);
        if (ObjectReader.IsNull(node))
        {
            return null;
        }

        string? text = node is YamlScalarNode s && Scalars.TryGetInteger(s, out var n) ? n.ToString(CultureInfo.InvariantCulture) : reader.String(node, ObjectReader.Field(path, field));
        if (text is null)
        {
            return null;
        }

        if (!Protocol.TryParse(text, out var protocol) || (char.IsLetter(text[0]) && text is not ("TCP" or "UDP" or "ICMP" or "ICMPv6" or "SCTP" or "UDPLite")))
        {
            reader.Error(node, ObjectReader.Field(path, field), $"unknown protocol \"{text}\" (expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255)");
            return null;
        }

        return protocol;
    }

    /// <summary>Ports: numbers, "first:last" ranges, or named ports.</summary>
    public static ImmutableArray<PortMatch> ReadPorts(ObjectReader reader, YamlMappingNode map, string field, string path)
    {
        var node = ObjectReader.Get(map, field);
        var fieldPath = ObjectReader.Field(path, field);
        var result = ImmutableArray.CreateBuilder<PortMatch>();
        if (reader.List(node, fieldPath) is not { } list)
        {
            return result.ToImmutable();
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemPath = ObjectReader.Index(fieldPath, i);
            var item = list.Children[i];
            if (item is YamlScalarNode s && Scalars.TryGetInteger(s, out var number))
            {
                if (number is < 0 or > 65535)
                {
                    reader.Error(item, itemPath, $"must be between 0 and 65535, got {number}");
                    continue;
                }

                result.Add(PortMatch.Single((int)number));
                continue;
            }

            var text = reader.String(item, itemPath);
            if (text is null)
            {
                continue;
            }

            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                if (int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var first) &&
                    int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last) &&
                    first <= last && last <= 65535)
                {
                    result.Add(PortMatch.Range(first, last));
                }
                else
                {
                    reader.Error(item, itemPath, $"expected a port range FIRST:LAST with FIRST <= LAST <= 65535, got \"{text}\"");
                }

                continue;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var quoted) && quoted <= 65535)
            {
                result.Add(PortMatch.Single(quoted));
                continue;
            }

            if (text.Length is 0 or > 128 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            {
                reader.Error(item, itemPath, $"expected a port number, a range FIRST:LAST, or a port name, got \"{text}\"");
                continue;
            }

            result.Add(PortMatch.Named(text));
        }

        return result.ToImmutable();
    }

    /// <summary>An optional float (Calico's <c>order</c>); null when absent, meaning "last".</summary>
    public static double? ReadOrder(ObjectReader reader, YamlMappingNode map, string path)
    {
        var node = ObjectReader.Get(map, "order");
        if (ObjectReader.IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode s && Scalars.Classify(s) is ScalarType.Integer or ScalarType.Float &&
            double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        reader.Error(node, ObjectReader.Field(path, "order"), $"expected a number, got {Scalars.Describe(node)}");
        return null;
    }

    public static string QualifiedName(ObjectMetadata meta) => meta.Namespace is null ? meta.Name : $"{meta.Namespace}/{meta.Name}";
}
