namespace Palisade.Manifests;

/// <summary>Errors stop the load; warnings are reported and the input is used.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
}
