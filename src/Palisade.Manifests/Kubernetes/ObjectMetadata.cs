using Palisade.Manifests.Yaml;
using Palisade.Model;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.Kubernetes;

/// <summary>The parts of <c>metadata</c> Palisade uses: name, namespace (defaulted) and labels, validated.</summary>
internal sealed record ObjectMetadata(string Name, string? Namespace, LabelSet Labels)
{
    public const string DefaultNamespace = "default";

    /// <summary>Reads <c>metadata</c> at <paramref name="path"/>; returns null after reporting when the name is unusable.</summary>
    public static ObjectMetadata? Read(ObjectReader reader, YamlMappingNode metadata, string path, bool namespaced, bool nameRequired = true)
    {
        var name = reader.String(metadata, "name", path, required: nameRequired) ?? string.Empty;
        if (name.Length > 0 && SubdomainError(name) is { } error)
        {
            reader.Error(ObjectReader.Get(metadata, "name"), ObjectReader.Field(path, "name"), $"invalid name \"{name}\": {error}");
            return null;
        }

        string? ns = null;
        if (namespaced)
        {
            ns = reader.String(metadata, "namespace", path) ?? DefaultNamespace;
            if (ns.Length == 0)
            {
                ns = DefaultNamespace;
            }
            else if (LabelSyntax.DnsLabelError(ns) is { } nsError)
            {
                reader.Error(ObjectReader.Get(metadata, "namespace"), ObjectReader.Field(path, "namespace"), $"invalid namespace \"{ns}\": {nsError}");
                return null;
            }
        }

        var labels = reader.Labels(ObjectReader.Get(metadata, "labels"), ObjectReader.Field(path, "labels"));
        return name.Length == 0 && nameRequired ? null : new ObjectMetadata(name, ns, labels);
    }

    /// <summary>Kubernetes object names: a DNS-1123 subdomain (lowercase alphanumerics, '-' and '.', at most 253).</summary>
    public static string? SubdomainError(string name)
    {
        if (name.Length > 253)
        {
            return "must be no more than 253 characters";
        }

        foreach (var part in name.Split('.'))
        {
            if (part.Length == 0 || !IsAlnum(part[0]) || !IsAlnum(part[^1]) || part.Any(c => !IsAlnum(c) && c != '-'))
            {
                return "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
            }
        }

        return null;

        static bool IsAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
    }
}
