using Palisade.Dataplane.Nftables;
using Palisade.Linux.Lab;

namespace Palisade.Agent;

/// <summary>
/// Which pods are on a node and which host-side interface each uses, read from the lab's state file (the lab plays the
/// part of a CNI plugin on this machine). Read on every reload, so pods the lab adds are picked up.
/// </summary>
public static class LabLocals
{
    public static Func<IReadOnlyList<RulesetRenderer.LocalEndpoint>> For(string node, string statePath = LabState.DefaultPath) => () => Read(node, statePath);

    public static IReadOnlyList<RulesetRenderer.LocalEndpoint> Read(string node, string statePath) =>
        LabState.Read(statePath) is { } state
            ? [.. state.Pods.Where(p => string.Equals(p.Node, node, StringComparison.Ordinal)).Select(p => new RulesetRenderer.LocalEndpoint(p.WorkloadId, p.Interface))]
            : [];
}
