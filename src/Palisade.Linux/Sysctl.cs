namespace Palisade.Linux;

/// <summary>
/// Writes a kernel setting of the calling thread's network namespace: <c>/proc/sys/net</c> resolves against the
/// namespace of the thread that opens it, so a thread that has entered a namespace sets that namespace's values.
/// </summary>
public static class Sysctl
{
    public static void Write(string key, string value)
    {
        var path = "/proc/sys/" + key.Replace('.', '/');
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
            RandomAccess.Write(handle, System.Text.Encoding.ASCII.GetBytes(value + "\n"), 0);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"sysctl {key}={value}: {e.Message}", e);
        }
    }
}
