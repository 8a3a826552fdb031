
namespace Palisade.Lab;

/// <summary>
/// Runs work items, each inside its own network namespace, on a few dedicated threads that move from namespace to
/// namespace (entering one costs microseconds; a thread or process per namespace costs far more).
/// </summary>
internal static class NamespaceWork
{
    public static void Run(IReadOnlyList<(string Netns, Action Work)> items, int threads)
    {
        var next = -1;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, Math.Max(1, Math.Min(threads, items.Count))).Select(i => new Thread(() =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < items.Count && failures.IsEmpty)
            {
                var (netns, work) = items[index];
                try
                {
                    NetworkNamespace.Enter(netns);
                    work();
                }
                catch (Exception e)
                {
                    failures.Enqueue(new LabException($"in network namespace {netns}: {e.Message}", e));
                }
            }
        })
        {
            IsBackground = true,
            Name = $"lab namespaces {i}",
        }).ToList();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        if (failures.TryDequeue(out var first))
        {
            throw first;
        }
    }
}
