namespace Palisade.Cli;

/// <summary>Where a command writes, and whether that is a terminal (tables and colour) or a pipe (plain text).</summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, bool IsTerminal)
{
    public bool Verbose { get; init; }
}
