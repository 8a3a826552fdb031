using Palisade.Model;

namespace Palisade.Manifests;

/// <summary>
/// What reading one file added to the inventory, kept so that an unchanged file is replayed instead of parsed again
/// (the agent reloads on every change; most files did not change). Only files that read without errors are kept.
/// </summary>
public sealed class FileContribution
{
    internal FileContribution(long length, DateTime modified)
    {
        Length = length;
        Modified = modified;
    }

    public long Length { get; }

    public DateTime Modified { get; }

    internal List<ManifestDiagnostic> Diagnostics { get; } = [];

    internal List<Entry> Objects { get; } = [];

    internal List<SkippedObject> Skipped { get; } = [];

    internal int ObjectCount { get; set; }

    /// <summary>One object: its identity claim (to catch duplicates again on replay) and what it added.</summary>
    internal sealed record Entry(string? Key, SourceRef? Here, Func<SourceRef, ManifestDiagnostic>? Conflict)
    {
        public List<Action<InventoryBuilder>> Adds { get; } = [];
    }
}
