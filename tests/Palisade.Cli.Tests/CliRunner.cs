namespace Palisade.Cli.Tests;

/// <summary>Runs the CLI in-process and captures what it prints and its exit code.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr, isTerminal: false);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
