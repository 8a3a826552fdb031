namespace Palisade.Cli;

/// <summary>Exit codes: 0 ok, 1 findings or denied, 2 bad input.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Findings = 1;
    public const int BadInput = 2;
}
