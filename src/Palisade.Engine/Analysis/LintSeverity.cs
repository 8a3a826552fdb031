namespace Palisade.Engine.Analysis;

/// <summary>How bad a lint finding is; errors make <c>palisade lint</c> exit non-zero by default.</summary>
public enum LintSeverity
{
    Info,
    Warning,
    Error,
}
