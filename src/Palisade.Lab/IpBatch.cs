using System.Diagnostics;

namespace Palisade.Lab;

/// <summary>Runs many <c>ip</c> commands in one process (<c>ip -batch -</c>), the cheap way to make hundreds of namespaces.</summary>
internal static class IpBatch
{
    /// <summary>Runs the commands; with <paramref name="force"/>, carries on past failures (for teardown) instead of stopping.</summary>
    public static void Run(IReadOnlyCollection<string> commands, bool force = false)
    {
        if (commands.Count == 0)
        {
            return;
        }

        var psi = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        if (force)
        {
            psi.ArgumentList.Add("-force");
        }

        psi.ArgumentList.Add("-batch");
        psi.ArgumentList.Add("-");
        using var process = Process.Start(psi) ?? throw new LabException("cannot start 'ip' (is iproute2 installed?)");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        foreach (var command in commands)
        {
            process.StandardInput.WriteLine(command);
        }

        process.StandardInput.Close();
        process.WaitForExit();
        var error = stderr.GetAwaiter().GetResult().Trim();
        _ = stdout.GetAwaiter().GetResult();
        if (process.ExitCode != 0 && !force)
        {
            throw new LabException($"ip -batch failed: {error}");
        }
    }
}
