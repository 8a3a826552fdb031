namespace Palisade.Store.Tests;

/// <summary>
/// The test assembly's entry point, used only as the crash test's child process (the test host never calls it):
/// <c>dotnet Palisade.Store.Tests.dll crash-writer DIR</c> writes to the SQLite store under DIR and prints each
/// acknowledged write until it is killed.
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

        await Console.Error.WriteLineAsync("usage: Palisade.Store.Tests crash-writer DIR (the crash test's child writer)");
        return 2;
    }
}
