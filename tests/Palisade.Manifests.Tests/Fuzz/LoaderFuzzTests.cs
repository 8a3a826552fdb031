using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Palisade.Manifests.Tests.Fuzz;

/// <summary>
/// Feeds the loader mutated variants of every manifest under examples/ and tests/conformance (seeded, a bounded count)
/// and holds it to the contract a server accepting manifests needs: it never throws (the CLI would end in "internal
/// error"), every input is read within hard safety bounds of time and allocation, a failed load reports at least one
/// error with its file (exit 2), and no message line is longer than 2,000 characters.
/// </summary>
public sealed class LoaderFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 1_000;

    // Hard safety bounds, far above what any input needs (the largest mutation is under 1 MB of text): a breach means
    // cost out of proportion to the input, as the alias bombs and the nesting crash were.
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(5);
    private const long MaxAllocatedBytes = 512L * 1024 * 1024;
    private const int MaxLineLength = 2_000;

    /// <summary>Two fixed seeds in CI (a few seconds); PALISADE_FUZZ_SEEDS=N adds seeds 1..N for a longer run by hand.</summary>
    public static TheoryData<int> Seeds =>
        [20261207, 99, .. Enumerable.Range(1, int.TryParse(Environment.GetEnvironmentVariable("PALISADE_FUZZ_SEEDS"), out var more) ? more : 0)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedManifests_AreReadOrRefused_WithinBounds(int seed)
    {
        var corpus = Corpus();
        Assert.True(corpus.Count > 100, $"the fuzz corpus is examples/ and tests/conformance; found only {corpus.Count} files");
        var random = new Random(seed);
        var mutator = new YamlMutator(random);
        var refused = 0;
        var slowest = TimeSpan.Zero;
        var mostAllocated = 0L;
        for (var i = 0; i < Inputs; i++)
        {
            var (name, text) = corpus[random.Next(corpus.Count)];
            var input = mutator.Mutate(text);
            var (result, problem, time, allocated) = Check(input);
            slowest = time > slowest ? time : slowest;
            mostAllocated = Math.Max(mostAllocated, allocated);
            if (problem is not null)
            {
                var saved = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"palisade-fuzz-{seed}-{i}.yaml"));
                File.WriteAllText(saved, input);
                Assert.Fail($"seed {seed}, input {i} (a mutation of {name}, saved as {saved}): {problem}");
            }

            if (!result!.Succeeded)
            {
                refused++;
            }
        }

        output.WriteLine($"{Inputs} inputs, {refused} refused; slowest {slowest.TotalMilliseconds:F0} ms, most allocated {mostAllocated / (1024 * 1024)} MB");

        // The mutations must reach the error paths, and must not all fail: a corpus or mutator gone wrong shows here.
        Assert.InRange(refused, Inputs / 10, Inputs - (Inputs / 20));
    }

    /// <summary>The load's result, and what broke the contract (null when nothing did).</summary>
    private static (LoadResult? Result, string? Problem, TimeSpan Time, long Allocated) Check(string input)
    {
        // On a thread-pool thread (a 1.5 MB stack on Linux), as a server would read; waited for far past the bound so
        // that a hang fails the test instead of stalling it.
        var task = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            try
            {
                var result = new ManifestLoader().LoadText(input, "fuzz.yaml");
                return (result, (Exception?)null, clock.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
            }
#pragma warning disable CA1031 // Any exception is the finding.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return ((LoadResult?)null, e, clock.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        });
        if (!task.Wait(MaxTime * 6))
        {
            return (null, $"no answer within {(MaxTime * 6).TotalSeconds} s", MaxTime * 6, 0);
        }

        var (loaded, failure, time, allocated) = task.Result;
        if (failure is not null)
        {
            return (null, $"the loader threw {failure}", time, allocated);
        }

        if (time > MaxTime)
        {
            return (loaded, $"read in {time.TotalSeconds:F1} s (bound {MaxTime.TotalSeconds} s)", time, allocated);
        }

        if (allocated > MaxAllocatedBytes)
        {
            return (loaded, $"allocated {allocated:N0} bytes (bound {MaxAllocatedBytes:N0})", time, allocated);
        }

        if (!loaded!.Succeeded && !loaded.Errors.Any(e => e.File == "fuzz.yaml"))
        {
            return (loaded, "failed without an error naming the file", time, allocated);
        }

        var longest = loaded.Diagnostics.SelectMany(d => d.ToString().Split('\n')).Concat(loaded.Skipped.Select(s => s.ToString())).MaxBy(l => l.Length) ?? string.Empty;
        return longest.Length > MaxLineLength
            ? (loaded, $"a message line of {longest.Length:N0} characters: {longest[..200]}…", time, allocated)
            : (loaded, null, time, allocated);
    }

    private static List<(string Name, string Text)> Corpus() =>
        [.. new[] { RepoFiles.Path("examples"), RepoFiles.Path("tests", "conformance") }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(RepoFiles.Root, f), File.ReadAllText(f)))];
}
