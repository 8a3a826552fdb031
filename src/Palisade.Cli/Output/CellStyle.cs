namespace Palisade.Cli.Output;

/// <summary>How a table cell is coloured on a terminal.</summary>
internal enum CellStyle
{
    Plain,
    Good,
    Bad,
    Dim,
}
