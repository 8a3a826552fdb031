namespace Palisade.Store.Tests;

/// <summary>
/// The test assembly's entry point, used only as the crash test's child process (the test host never calls it):
/// <c>dotnet Palisade.Store.Tests.dll crash-writer DIR</c> writes to the SQLite store under DIR and prints each
/// acknowledged write until it is killed; <c>bench [DIR]</c> measures both backends (see StoreBench).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["crash-writer", var directory])
        {
            await CrashWriter.RunAsync(directory);
            return 0;
        }

        if (args is ["bench", .. var rest])
        {
            await StoreBench.RunAsync(rest is [var root] ? root : null);
            return 0;
        }

        await Console.Error.WriteLineAsync("usage: Palisade.Store.Tests crash-writer DIR | bench [DIR]");
        return 2;
    }
}
