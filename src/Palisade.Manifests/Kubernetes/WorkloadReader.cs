using System.Collections.Immutable;
using System.Net;
using Palisade.Manifests.Yaml;
using Palisade.Model;
using Palisade.Model.Cluster;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.Kubernetes;

/// <summary>
/// Reads Pods, and workload controllers as the pods their template makes (labels, service account, container ports),
/// because users' repositories hold Deployments, not Pods. Fields Palisade does not use are ignored, not rejected.
/// </summary>
internal sealed class WorkloadReader(HostNetworkPods hostNetworkPods) : IObjectReader
{
    private static readonly string[] TemplatePath = ["spec", "template"];
    private static readonly string[] CronJobTemplatePath = ["spec", "jobTemplate", "spec", "template"];

    public bool Handles(string apiVersion, string kind) => TemplateOf(apiVersion, kind) is not null;

    private static string[]? TemplateOf(string apiVersion, string kind)
    {
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty;
        return (group, kind) switch
        {
            ("", "Pod") => [],
            ("", "ReplicationController") => TemplatePath,
            ("apps" or "extensions", "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet") => TemplatePath,
            ("batch", "Job") => TemplatePath,
            ("batch", "CronJob") => CronJobTemplatePath,
            _ => null,
        };
    }

    public void Read(ObjectReader reader, InventoryBuilder into)
    {
        var metadata = reader.Map(reader.Root, "metadata", string.Empty)!;
        if (ObjectMetadata.Read(reader, metadata, "metadata", namespaced: true) is not { } meta)
        {
            return;
        }

        var templatePath = TemplateOf(reader.ApiVersion, reader.Kind)!;
        var before = reader.ErrorCount;
        LabelSet labels;
        YamlMappingNode? podSpec;
        string specPath;
        if (templatePath.Length == 0)
        {
            labels = meta.Labels;
            podSpec = reader.Map(reader.Root, "spec", string.Empty);
            specPath = "spec";
        }
        else
        {
            var template = Descend(reader, templatePath, out var path);
            var templateMeta = template is null ? null : reader.Map(template, "metadata", path);
            labels = templateMeta is null ? LabelSet.Empty : reader.Labels(ObjectReader.Get(templateMeta, "labels"), ObjectReader.Field(path, "metadata.labels"));
            specPath = ObjectReader.Field(path, "spec");
            podSpec = template is null ? null : reader.Map(template, "spec", path);
            if (template is null)
            {
                reader.Error(reader.Root, path, $"a {reader.Kind} needs a pod template");
            }
        }

        var serviceAccount = "default";
        var hostNetwork = false;
        string? node = null;
        var ports = ImmutableArray<ContainerPort>.Empty;
        if (podSpec is not null)
        {
            serviceAccount = reader.String(podSpec, "serviceAccountName", specPath)
                ?? reader.String(podSpec, "serviceAccount", specPath)
                ?? "default";
            hostNetwork = reader.Boolean(ObjectReader.Get(podSpec, "hostNetwork"), ObjectReader.Field(specPath, "hostNetwork")) ?? false;
            node = reader.String(podSpec, "nodeName", specPath);
            ports = [.. ReadPorts(reader, podSpec, specPath, "containers"), .. ReadPorts(reader, podSpec, specPath, "initContainers")];
        }

        var addresses = templatePath.Length == 0 ? ReadAddresses(reader) : [];
        int? replicas = ReadReplicas(reader);
        if (reader.ErrorCount > before || !into.Claim(reader, reader.Kind, meta.Namespace, meta.Name))
        {
            return;
        }

        into.AddWorkload(reader, new Workload(meta.Namespace!, meta.Name, reader.Kind, labels)
        {
            ServiceAccount = serviceAccount,
            // Read as ordinary pods when asked: the engine then selects them and applies policy to them like any pod.
            HostNetwork = hostNetwork && hostNetworkPods == HostNetworkPods.Unisolated,
            Node = node,
            Ports = new(ports),
            Addresses = new(addresses),
            Replicas = replicas,
            Source = reader.SourceRef(meta.Namespace),
        });
    }

    private static int? ReadReplicas(ObjectReader reader)
    {
        switch (reader.Kind)
        {
            case "Pod" or "CronJob":
                return 1;
            case "DaemonSet":
                return null;
        }

        var spec = reader.Map(reader.Root, "spec", string.Empty);
        var field = reader.Kind == "Job" ? "parallelism" : "replicas";
        var node = spec is null ? null : ObjectReader.Get(spec, field);
        var value = reader.Integer(node, ObjectReader.Field("spec", field));
        if (value is < 0)
        {
            reader.Error(node, ObjectReader.Field("spec", field), $"must not be negative, got {value}");
            return 1;
        }

        return (int?)value ?? 1;
    }

    private static YamlMappingNode? Descend(ObjectReader reader, string[] fields, out string path)
    {
        YamlMappingNode? node = reader.Root;
        path = string.Empty;
        foreach (var f in fields)
        {
            node = node is null ? null : reader.Map(node, f, path);
            path = ObjectReader.Field(path, f);
        }

        return node;
    }

    private static IEnumerable<ContainerPort> ReadPorts(ObjectReader reader, YamlMappingNode podSpec, string specPath, string field)
    {
        var containersPath = ObjectReader.Field(specPath, field);
        if (reader.List(podSpec, field, specPath) is not { } containers)
        {
            yield break;
        }

        for (var c = 0; c < containers.Children.Count; c++)
        {
            var containerPath = ObjectReader.Index(containersPath, c);
            if (reader.Map(containers.Children[c], containerPath) is not { } container ||
                reader.List(container, "ports", containerPath) is not { } ports)
            {
                continue;
            }

            for (var p = 0; p < ports.Children.Count; p++)
            {
                var portPath = ObjectReader.Index(ObjectReader.Field(containerPath, "ports"), p);
                if (reader.Map(ports.Children[p], portPath) is not { } port)
                {
                    continue;
                }

                var numberNode = ObjectReader.Get(port, "containerPort");
                var number = reader.Integer(numberNode, ObjectReader.Field(portPath, "containerPort"));
                if (number is null)
                {
                    if (numberNode is null)
                    {
                        reader.Error(port, ObjectReader.Field(portPath, "containerPort"), "required field is missing");
                    }

                    continue;
                }

                if (number is < 1 or > 65535)
                {
                    reader.Error(numberNode, ObjectReader.Field(portPath, "containerPort"), $"must be between 1 and 65535, got {number}");
                    continue;
                }

                var protocolText = reader.String(port, "protocol", portPath) ?? "TCP";
                if (protocolText is not ("TCP" or "UDP" or "SCTP") || !Protocol.TryParse(protocolText, out var protocol))
                {
                    reader.Error(ObjectReader.Get(port, "protocol"), ObjectReader.Field(portPath, "protocol"), $"must be TCP, UDP or SCTP, got \"{protocolText}\"");
                    continue;
                }

                var name = reader.String(port, "name", portPath);
                if (name is not null && PortNames.Error(name) is { } nameError)
                {
                    reader.Error(ObjectReader.Get(port, "name"), ObjectReader.Field(portPath, "name"), $"invalid port name \"{name}\": {nameError}");
                    continue;
                }

                yield return new ContainerPort(name, (int)number, protocol);
            }
        }
    }

    private static ImmutableArray<IPAddress> ReadAddresses(ObjectReader reader)
    {
        if (reader.Map(reader.Root, "status", string.Empty) is not { } status)
        {
            return [];
        }

        var result = new List<IPAddress>();
        void Add(YamlNode? node, string path)
        {
            if (reader.String(node, path) is not { } text)
            {
                return;
            }

            if (!IPAddress.TryParse(text, out var ip) || text.Contains('/', StringComparison.Ordinal))
            {
                reader.Error(node, path, $"expected an IP address, got \"{text}\"");
                return;
            }

            if (!result.Contains(ip))
            {
                result.Add(ip);
            }
        }

        Add(ObjectReader.Get(status, "podIP"), "status.podIP");
        if (reader.List(status, "podIPs", "status") is { } ips)
        {
            for (var i = 0; i < ips.Children.Count; i++)
            {
                if (reader.Map(ips.Children[i], ObjectReader.Index("status.podIPs", i)) is { } entry)
                {
                    Add(ObjectReader.Get(entry, "ip"), ObjectReader.Field(ObjectReader.Index("status.podIPs", i), "ip"));
                }
            }
        }

        return [.. result];
    }
}
