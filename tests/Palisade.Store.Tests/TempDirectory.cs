namespace Palisade.Store.Tests;

/// <summary>A directory of its own for a test, removed with everything in it when the test ends.</summary>
internal sealed class TempDirectory : IDisposable
{
    /// <param name="root">Where to make it: /dev/shm keeps etcd's fsyncs off the disk in tests.</param>
    public TempDirectory(string? root = null)
    {
        Path = System.IO.Path.Combine(root ?? System.IO.Path.GetTempPath(), "palisade-store-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process killed by a test may still be releasing a file; the directory is under the temp root anyway.
        }
    }
}
