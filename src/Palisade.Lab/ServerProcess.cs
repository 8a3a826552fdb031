using System.Diagnostics;
using System.Globalization;

namespace Palisade.Lab;

/// <summary>
/// The lab server as an operating-system process: started detached (its own session, output to a log beside the state
/// file) so it outlives the command that started it; known by its pid and its command line, so that a recycled pid
/// is never mistaken for it.
/// </summary>
internal static class ServerProcess
{
    public static string ReadyPath(string statePath) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(statePath))!, "server.ready");

    public static string LogPath(string statePath) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(statePath))!, "server.log");

    /// <summary>Starts the server detached and waits until it reports that every socket is open; returns its pid.</summary>
    public static int Start(IReadOnlyList<string> command, string statePath, TimeSpan timeout)
    {
        if (command.Count == 0)
        {
            throw new ArgumentException("the server command is empty", nameof(command));
        }

        var ready = ReadyPath(statePath);
        var log = LogPath(statePath);
        File.Delete(ready);

        // setsid in a background job of sh keeps the pid (it does not fork when not a group leader) and detaches the
        // server from this process's session and terminal.
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "log=$1; shift; setsid \"$@\" </dev/null >\"$log\" 2>&1 & echo $!", "sh", log })
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var arg in command)
        {
            psi.ArgumentList.Add(arg);
        }

        using var shell = Process.Start(psi) ?? throw new LabException("cannot start /bin/sh to launch the lab server");
        var output = shell.StandardOutput.ReadToEnd();
        shell.WaitForExit();
        if (!int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            throw new LabException($"could not start the lab server ({string.Join(' ', command)}): {shell.StandardError.ReadToEnd().Trim()}");
        }

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (File.Exists(ready) && File.ReadAllText(ready).Trim() == pid.ToString(CultureInfo.InvariantCulture))
            {
                return pid;
            }

            if (!IsAlive(pid))
            {
                throw new LabException($"the lab server exited before it was ready: {Tail(log)}");
            }

            Thread.Sleep(10);
        }

        Kill(pid);
        throw new LabException($"the lab server was not ready after {timeout.TotalSeconds:0} s: {Tail(log)}");
    }

    /// <summary>Whether a process is running (not a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat.AsSpan(stat.LastIndexOf(')') + 2);
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether a process is a lab server (<c>... lab serve ...</c>), and serves the given state file when one is named.</summary>
    public static bool IsLabServer(int pid, string? statePath = null)
    {
        string[] args;
        try
        {
            args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        var serve = Array.IndexOf(args, "serve");
        if (serve < 1 || args[serve - 1] != "lab" || !IsAlive(pid))
        {
            return false;
        }

        if (statePath is null)
        {
            return true;
        }

        var state = Array.IndexOf(args, "--state");
        var served = state >= 0 && state + 1 < args.Length ? args[state + 1] : LabState.DefaultPath;
        return string.Equals(Path.GetFullPath(served), Path.GetFullPath(statePath), StringComparison.Ordinal);
    }

    /// <summary>Lab servers for a state file that are still running (after a crash the state file may be gone).</summary>
    public static IEnumerable<int> FindServers(string statePath)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                pid != Environment.ProcessId && IsLabServer(pid, statePath))
            {
                yield return pid;
            }
        }
    }

    /// <summary>Kills a process and waits (up to 5 s) until it is gone, so that its sockets no longer hold namespaces.</summary>
    public static bool Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        var wait = Stopwatch.StartNew();
        while (IsAlive(pid) && wait.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(5);
        }

        return true;
    }

    private static string Tail(string log)
    {
        if (!File.Exists(log))
        {
            return "(no output)";
        }

        var lines = File.ReadAllLines(log);
        return string.Join(Environment.NewLine, lines.TakeLast(10));
    }
}
