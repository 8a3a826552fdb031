using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Manifests;

/// <summary>What a load produced: the cluster inventory and the policy model, or the errors that stopped it.</summary>
/// <remarks>When <see cref="Succeeded"/> is false, <see cref="Cluster"/> and <see cref="Policies"/> are empty: nothing half-loaded is analysed.</remarks>
public sealed record LoadResult(
    ClusterSnapshot Cluster,
    PolicyModel Policies,
    IReadOnlyList<ManifestDiagnostic> Diagnostics,
    IReadOnlyList<SkippedObject> Skipped,
    int ObjectCount)
{
    public bool Succeeded => !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    public IEnumerable<ManifestDiagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

    public IEnumerable<ManifestDiagnostic> Warnings => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning);
}
