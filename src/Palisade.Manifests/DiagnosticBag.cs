namespace Palisade.Manifests;

/// <summary>Collects every problem of a load, so that users see all of them at once, not one per run.</summary>
public sealed class DiagnosticBag
{
    private readonly List<ManifestDiagnostic> items = [];

    public IReadOnlyList<ManifestDiagnostic> Items => items;

    public bool HasErrors => items.Exists(d => d.Severity == DiagnosticSeverity.Error);

    public int ErrorCount => items.Count(d => d.Severity == DiagnosticSeverity.Error);

    public void Add(ManifestDiagnostic diagnostic) => items.Add(diagnostic);
}
