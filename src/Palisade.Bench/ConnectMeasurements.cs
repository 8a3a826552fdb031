using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Palisade.Linux;

namespace Palisade.Bench;

/// <summary>Connections through the bench's router from user space: their rate, and connect latency alone or paired with the twin chain.</summary>
internal static class ConnectMeasurements
{
    private const int Port = DataplaneBench.Port;

    /// <summary>New connections per second: connect, then close with a reset (no TIME_WAIT), from many loops at once.</summary>
    internal static async Task<double> MeasureRateAsync(TimeSpan duration, int concurrency, CancellationToken cancellationToken)
    {
        using var factory = new SocketFactory(BenchTopology.Client);
        var endpoint = new IPEndPoint(BenchTopology.ServerAddress, Port);
        long count = 0;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < until && !cancellationToken.IsCancellationRequested)
            {
                using var s = factory.Take();
                try
                {
                    await s.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref count);
                }
                catch (SocketException)
                {
                }
            }
        }, cancellationToken)).ToArray();
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(loops).ConfigureAwait(false);
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Connect latency (SYN to established, through the router) one at a time: p50 and p99 in microseconds. A thread of
    /// its own in the client namespace makes each batch of sockets before timing it and connects blocking, so that
    /// neither socket making nor the thread pool's hops fall inside the time.
    /// </summary>
    internal static Task<(double P50, double P99)> MeasureLatencyAsync(int samples, CancellationToken cancellationToken) =>
        OnThreadOfItsOwn("connect latency", () =>
        {
            NetworkNamespace.Enter(BenchTopology.Client);
            return MeasureLatency(samples, cancellationToken);
        });

    /// <summary>Runs timing work on a thread of its own (not the pool's, whose hops would fall inside the times).</summary>
    private static Task<T> OnThreadOfItsOwn<T>(string name, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or SocketException)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    private static (double P50, double P99) MeasureLatency(int samples, CancellationToken cancellationToken)
    {
        const int Warmup = 20;
        const int Batch = 100;
        var endpoint = new IPEndPoint(BenchTopology.ServerAddress, Port);
        var times = new List<double>(samples);
        string? lastError = null;
        for (var done = 0; done < samples + Warmup;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sockets = Enumerable.Range(0, Math.Min(Batch, samples + Warmup - done)).Select(_ => LatencySocket()).ToArray();
            var elapsed = new double[sockets.Length];
            for (var k = 0; k < sockets.Length; k++)
            {
                elapsed[k] = TimeConnect(sockets[k], endpoint, ref lastError);
            }

            foreach (var s in sockets)
            {
                s.Dispose();
            }

            // The first connect after a batch of sockets is made is slow (the thread was busy making them, its caches
            // cold): 1 in 100 would be the p99 itself. It is a warm-up, not a sample.
            for (var k = 0; k < elapsed.Length; k++)
            {
                if (done++ >= Warmup && k > 0 && elapsed[k] >= 0)
                {
                    times.Add(elapsed[k]);
                }
            }
        }

        if (times.Count < samples / 2)
        {
            throw new InvalidOperationException($"only {times.Count} of {samples} connections succeeded (last error: {lastError})");
        }

        return (Math.Round(Percentile(times, 0.5), 1), Math.Round(Percentile(times, 0.99), 1));
    }

    /// <summary>A socket for timing connects: no Nagle, reset on close (no TIME_WAIT), bounded blocking calls.</summary>
    private static Socket LatencySocket() =>
        new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0), SendTimeout = 2000, ReceiveTimeout = 2000 };

    /// <summary>One blocking connect, in microseconds; -1 (and the error kept) when it fails.</summary>
    private static double TimeConnect(Socket socket, IPEndPoint endpoint, ref string? lastError)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            socket.Connect(endpoint);
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        catch (SocketException e)
        {
            lastError = e.Message;
            return -1;
        }
    }

    /// <summary>
    /// Connects timed in alternation through the bench chain and its twin: <paramref name="pairs"/> on each side (after
    /// a warm-up), the first of each pair taking turns, each batch of sockets made before it is timed. A thread of its
    /// own connects blocking; sockets keep the namespace they were made in, so it needs to enter none.
    /// </summary>
    internal static Task<(List<double> Primary, List<double> Twin)> MeasurePairedLatencyAsync(int pairs, CancellationToken cancellationToken) =>
        OnThreadOfItsOwn("paired connect latency", () => MeasurePairedLatency(pairs, cancellationToken));

    private static (List<double> Primary, List<double> Twin) MeasurePairedLatency(int pairs, CancellationToken cancellationToken)
    {
        const int Warmup = 20;
        const int Batch = 100;
        var endpoint = new IPEndPoint(BenchTopology.ServerAddress, Port);
        var primary = new List<double>(pairs);
        var twin = new List<double>(pairs);
        var failed = 0;
        string? lastError = null;
        Socket[] Make(string netns, int count) => NetworkNamespace.Run(netns, () => Enumerable.Range(0, count).Select(_ => LatencySocket()).ToArray());
        double Time(Socket socket)
        {
            var us = TimeConnect(socket, endpoint, ref lastError);
            failed += us < 0 ? 1 : 0;
            return us;
        }

        for (var done = 0; done < pairs + Warmup;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(Batch, pairs + Warmup - done);
            var a = Make(BenchTopology.Client, count);
            var b = Make(BenchTopology.ClientTwin, count);
            var times = new (double A, double B)[count];
            for (var k = 0; k < count; k++)
            {
                if ((done + k) % 2 == 0)
                {
                    var ta = Time(a[k]);
                    times[k] = (ta, Time(b[k]));
                }
                else
                {
                    // The twin first on odd pairs: neither side always follows the other.
                    var tb = Time(b[k]);
                    times[k] = (Time(a[k]), tb);
                }
            }

            foreach (var socket in a.Concat(b))
            {
                socket.Dispose();
            }

            // The first pair after a batch of sockets is made is slow, and its first connect always the bench chain's:
            // 1 in 100 samples, the p99 itself, and on one side only. It is a warm-up, not a sample.
            for (var k = 0; k < count; k++)
            {
                var (ta, tb) = times[k];
                if (done++ >= Warmup && k > 0 && ta >= 0 && tb >= 0)
                {
                    primary.Add(ta);
                    twin.Add(tb);
                }
            }
        }

        if (primary.Count < pairs / 2)
        {
            throw new InvalidOperationException($"only {primary.Count} of {pairs} paired connections succeeded ({failed} failed; last error: {lastError})");
        }

        return (primary, twin);
    }

    internal static PairedLatency Paired(List<double> ruleset, List<double> baseline)
    {
        var (p50, p99) = (Math.Round(Percentile(ruleset, 0.5), 1), Math.Round(Percentile(ruleset, 0.99), 1));
        var (n50, n99) = (Math.Round(Percentile(baseline, 0.5), 1), Math.Round(Percentile(baseline, 0.99), 1));
        return new PairedLatency
        {
            Samples = ruleset.Count,
            RulesetP50Us = p50,
            RulesetP99Us = p99,
            BaselineP50Us = n50,
            BaselineP99Us = n99,
            P50DeltaUs = Math.Round(p50 - n50, 1),
            P99DeltaUs = Math.Round(p99 - n99, 1),
        };
    }

    internal static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 2);
    }
}
