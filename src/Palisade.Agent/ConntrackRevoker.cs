using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Palisade.Agent;

/// <summary>
/// Cuts what is left of connections a change revoked. The ruleset judges every connection again on its next packet
/// after a change and marks the ones no longer allowed (<see cref="RevokedMark"/>), dropping their packets; this
/// deletes exactly the conntrack entries that carry the mark, off the agent's path. Cuts asked for while one runs
/// are done by one more run after it, not one each: a burst of changes costs two runs of <c>conntrack</c>.
/// </summary>
public sealed partial class ConntrackRevoker
{
    /// <summary>The conntrack mark the ruleset sets on a connection a change revoked.</summary>
    public const uint RevokedMark = 0xffffffff;

    private const int Idle = 0;
    private const int Running = 1;
    private const int RunningAndAsked = 2;

    private readonly Func<IReadOnlyList<string>, Task> run;
    private readonly ILogger<ConntrackRevoker> logger;
    private int state;
    private int runs;
    private Task current = Task.CompletedTask;

    /// <param name="networkNamespace">The node's network namespace (null: the process's own).</param>
    /// <param name="logger">Where a failed cut is reported.</param>
    /// <param name="run">Runs a command line to its end (the real one starts the process; tests pass their own).</param>
    public ConntrackRevoker(string? networkNamespace, ILogger<ConntrackRevoker> logger, Func<IReadOnlyList<string>, Task>? run = null)
    {
        this.logger = logger;
        this.run = run ?? RunProcessAsync;
        var delete = new[] { "conntrack", "-D", "-m", "0x" + RevokedMark.ToString("x8", CultureInfo.InvariantCulture) };
        CommandLine = networkNamespace is { } ns ? ["ip", "netns", "exec", ns, .. delete] : delete;
    }

    /// <summary>The command line that deletes the revoked connections' entries.</summary>
    public IReadOnlyList<string> CommandLine { get; }

    /// <summary>How many times the entries were deleted.</summary>
    public int Runs => Volatile.Read(ref runs);

    /// <summary>Completes when no cut runs or waits to run (for tests and an orderly stop).</summary>
    public Task Completion => Volatile.Read(ref current);

    /// <summary>Asks for the revoked connections' entries to be deleted (after a change the kernel took).</summary>
    public void Request()
    {
        while (true)
        {
            var seen = Volatile.Read(ref state);
            if (seen == RunningAndAsked)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref state, seen == Idle ? Running : RunningAndAsked, seen) == seen)
            {
                if (seen == Idle)
                {
                    Volatile.Write(ref current, Task.Run(RunUntilNoneAskedAsync));
                }

                return;
            }
        }
    }

    private async Task RunUntilNoneAskedAsync()
    {
        while (true)
        {
            try
            {
                await run(CommandLine).ConfigureAwait(false);
            }
            catch (Win32Exception e)
            {
                // conntrack is not installed: revoked connections are still cut by the rules; their entries expire.
                LogCannotRun(string.Join(' ', CommandLine), e.Message);
            }

            Interlocked.Increment(ref runs);
            if (Interlocked.CompareExchange(ref state, Idle, Running) == Running)
            {
                return;
            }

            // Asked again while this run went on: once more covers every change that came meanwhile.
            Volatile.Write(ref state, Running);
        }
    }

    private static async Task RunProcessAsync(IReadOnlyList<string> commandLine)
    {
        var psi = new ProcessStartInfo(commandLine[0], commandLine.Skip(1)) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi);
        if (p is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var drain = Task.WhenAll(p.StandardOutput.ReadToEndAsync(timeout.Token), p.StandardError.ReadToEndAsync(timeout.Token));
        try
        {
            await p.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await drain.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A conntrack that hangs is left to finish on its own: the next cut deletes what this one did not.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot cut revoked connections ({CommandLine}): {Reason}; the rules still drop them, their entries expire")]
    private partial void LogCannotRun(string commandLine, string reason);
}
