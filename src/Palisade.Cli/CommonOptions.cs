using System.CommandLine;
using Palisade.Manifests;
using Palisade.Model;

namespace Palisade.Cli;

/// <summary>Options that several commands share, declared once so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string[]> Files() => new("--file", "-f")
    {
        Description = "A manifest file or a directory (searched recursively for *.yaml, *.yml, *.json). Repeatable. Multi-document YAML and 'kind: List' are read.",
        HelpName = "PATH",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>For the analysis commands: read the objects from a live server instead of (or under) files.</summary>
    public static Option<string?> Kubeconfig() => new("--kubeconfig")
    {
        Description = "Read the objects from a live API server (palisade server's DIR/admin.kubeconfig, or a Kubernetes cluster's kubeconfig). " +
            "With -f too, the files are laid over the live objects: an object in them replaces the live one of the same kind, namespace and name.",
        HelpName = "FILE",
    };

    public static Option<string?> Context() => new("--context")
    {
        Description = "The kubeconfig context to use (default: its current-context).",
        HelpName = "NAME",
    };

    public static Option<string> Output(params string[] formats) => new Option<string>("--output", "-o")
    {
        Description = $"Output format: {string.Join(", ", formats)}.",
        DefaultValueFactory = _ => formats[0],
        HelpName = "FORMAT",
    }.AcceptOnlyFromAmong(formats);

    public static Option<string[]> Ports() => new("--port", "-p")
    {
        Description = "A port to judge, as PORT or PORT/PROTOCOL (TCP, UDP, SCTP), e.g. 80/TCP. Repeatable.",
        HelpName = "PORT/PROTO",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<string> HostNetwork() => new Option<string>("--host-network-pods")
    {
        Description = "How pods with hostNetwork: true are read; the NetworkPolicy documentation allows both and both exist in the field. " +
            "'unisolated' (the default): no policy applies to them and no pod or namespace selector picks them as peers, as most network plugins do, " +
            "since they cannot tell such a pod's traffic from its node's. 'ordinary': they are pods like any other, selected and isolated by policies.",
        DefaultValueFactory = _ => "unisolated",
        HelpName = "READING",
    }.AcceptOnlyFromAmong("unisolated", "ordinary");

    public static HostNetworkPods ParseHostNetwork(string? text) => text == "ordinary" ? HostNetworkPods.Ordinary : HostNetworkPods.Unisolated;

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Also list warnings' details and the objects that were skipped.",
    };

    public static OutputFormat ParseFormat(string text) => text switch
    {
        "json" => OutputFormat.Json,
        "matrix" => OutputFormat.Matrix,
        _ => OutputFormat.Table,
    };

    public static List<PortSpec> ParsePorts(IEnumerable<string>? texts)
    {
        var result = new List<PortSpec>();
        foreach (var text in texts ?? [])
        {
            foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!PortSpec.TryParse(item, out var spec, out var error))
                {
                    throw new UsageException($"--port {error}");
                }

                result.Add(spec);
            }
        }

        return result;
    }
}
