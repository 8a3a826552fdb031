namespace Palisade.Cli;

/// <summary>How results are printed.</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Matrix,
}
