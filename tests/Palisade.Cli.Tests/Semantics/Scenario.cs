using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Explain;
using Palisade.Manifests;
using Palisade.Model;

namespace Palisade.Cli.Tests.Semantics;

/// <summary>Loads manifests from text and judges flows by workload id or address as <c>check</c> does (through the engine), for semantics tests.</summary>
internal sealed class Scenario
{
    public Scenario(string yaml)
    {
        Loaded = new ManifestLoader().LoadText(yaml, "scenario.yaml");
        Assert.True(Loaded.Succeeded, string.Join("\n", Loaded.Diagnostics));
        Explainer = new FlowExplainer(Loaded.Cluster, Loaded.Policies);
    }

    public LoadResult Loaded { get; }

    public FlowExplainer Explainer { get; }

    public FlowVerdict Judge(string from, string to, int port = 80, string protocol = "TCP")
    {
        Assert.True(Protocol.TryParse(protocol, out var p));
        return Explainer.Explain(new Flow(End(from), End(to), p, port));
    }

    public bool Allowed(string from, string to, int port = 80, string protocol = "TCP") => Judge(from, to, port, protocol).Allowed;

    private FlowEnd End(string text)
    {
        if (IPAddress.TryParse(text, out var ip))
        {
            var owner = Loaded.Cluster.Workloads.FirstOrDefault(w => w.Addresses.AsImmutableArray().Contains(ip));
            return owner is null ? FlowEnd.Of(ip) : FlowEnd.Of(owner, ip);
        }

        return FlowEnd.Of(Loaded.Cluster.FindWorkload(text) ?? throw new ArgumentException($"no workload {text}"));
    }
}
