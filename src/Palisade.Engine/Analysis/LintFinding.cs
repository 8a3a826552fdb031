using Palisade.Model;

namespace Palisade.Engine.Analysis;

/// <summary>One lint finding: a code (e.g. <c>shadowed-rule</c>), what it is about, and where that was written.</summary>
public sealed record LintFinding(LintSeverity Severity, string Code, string Subject, string Message)
{
    public SourceRef? Source { get; init; }

    /// <summary>The rule's field path, when the finding is about a rule.</summary>
    public string? Path { get; init; }
}
