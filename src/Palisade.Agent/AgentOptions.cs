using Palisade.Dataplane.Nftables;

namespace Palisade.Agent;

/// <summary>How an agent runs: which manifests, which node, where its pods' interfaces are.</summary>
public sealed record AgentOptions(IReadOnlyList<string> Paths, string Node, Func<IReadOnlyList<RulesetRenderer.LocalEndpoint>> Locals)
{
    /// <summary>Watch an API server for the desired state, as this kubeconfig describes it, instead of <see cref="Paths"/>.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context to use (null: its current-context).</summary>
    public string? KubeContext { get; init; }

    /// <summary>The network namespace the node lives in (null: the process's own).</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>How long to wait for a burst of file changes to settle before reloading.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How often files are checked for changes the file watcher may have missed.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(500);
}
