namespace Palisade.Manifests;

/// <summary>
/// How much reading one YAML document may cost, so that hostile input costs a bounded multiple of its size and is
/// refused with an error instead of exhausting the stack, memory or time of whoever reads it (a CLI, an agent, a server).
/// </summary>
/// <remarks>
/// Kubernetes bounds the same things: its YAML decoder (yaml.v2/v3 under sigs.k8s.io/yaml) refuses nesting deeper than
/// 10,000 levels and "excessive aliasing" (at most about 400,000 alias-made nodes for small documents, scaling down to
/// 10% aliasing for large ones); the API server refuses request bodies over 3 MiB. Palisade reads exports of whole
/// clusters (one <c>kind: List</c> document of tens of megabytes), so its document bound is larger than the API server's.
/// </remarks>
public sealed record ManifestLimits
{
    /// <summary>The defaults every command uses.</summary>
    public static ManifestLimits Default { get; } = new();

    /// <summary>
    /// Lists and maps nested deeper than this are refused. The YAML library builds its tree recursively (a few stack
    /// frames per level), so this bounds the stack a document needs; manifests nest a few dozen levels at most.
    /// </summary>
    public int MaxDepth { get; init; } = 1_000;

    /// <summary>A document longer than this many characters is refused (64 Mi: a <c>kind: List</c> of about 5,000 pods).</summary>
    public long MaxDocumentCharacters { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Nodes a document may produce with its aliases expanded, beyond <see cref="AliasNodesPerCharacter"/> per character:
    /// small documents may alias freely up to this many nodes.
    /// </summary>
    public long AliasNodeAllowance { get; init; } = 100_000;

    /// <summary>
    /// Nodes a document may produce per character of its text, aliases expanded (besides the allowance). Written out,
    /// YAML needs at least two characters a node (<c>[a,a,a]</c>), so this allows eight times the densest plain text.
    /// </summary>
    public int AliasNodesPerCharacter { get; init; } = 4;
}
