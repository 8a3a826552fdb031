using System.Runtime.InteropServices;

namespace Palisade.Linux;

/// <summary>
/// Runs work inside a named network namespace (<c>/var/run/netns/NAME</c>) on a dedicated thread: sockets and netlink
/// handles created there belong to that namespace for their whole life, whatever thread later uses them.
/// </summary>
public static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    /// <summary>Runs <paramref name="work"/> on a new thread that has entered the namespace; returns its result.</summary>
    public static T Run<T>(string name, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(name);
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = $"netns {name}",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"in network namespace {name}: {failure.Message}", failure);
        }

        return result;
    }

    /// <summary>Moves the calling thread into the namespace (for threads dedicated to it).</summary>
    public static void Enter(string name)
    {
        var path = Path.Combine("/var/run/netns", name);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
        {
            throw new InvalidOperationException($"cannot enter network namespace {name}: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}
