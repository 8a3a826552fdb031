using System.Text.Json;

namespace Palisade.Cli.Tests;

/// <summary>The bench command reports every figure the issue tracker asks for; class output covers every workload.</summary>
public sealed class BenchAndClassesTests
{
    [Theory]
    [InlineData("mixed")]
    [InlineData("antrea")]
    [InlineData("all-select")]
    public void BenchEngine_Json_HasEveryFigure(string shape)
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "engine", "--shape", shape, "--endpoints", "400", "--policies", "40", "--updates", "300", "--naive-samples", "2", "-o", "json");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var r = doc.RootElement;
        foreach (var field in new[] { "endpoints", "policies", "full_build_ms", "peak_memory_mb", "incremental_update_p50_us", "incremental_update_p99_us", "verdicts_per_second", "naive_update_p50_us", "classes" })
        {
            Assert.True(r.TryGetProperty(field, out var value), $"missing {field}");
            Assert.True(value.GetDouble() > 0, $"{field} should be positive, got {value}");
        }

        Assert.True(r.GetProperty("endpoints").GetInt32() >= 390);
        Assert.Equal(300, r.GetProperty("updates").GetInt32());
        Assert.Equal(500, r.GetProperty("warmup_updates").GetInt32());
        Assert.True(r.GetProperty("warmup_update_max_us").GetDouble() > 0);
        Assert.Equal(shape, r.GetProperty("shape").GetString());

        // The verdict rounds as measured, each with the memory probes read in it: the figures are the best rounds, and
        // the baseline is the rounds' median, which lies among them.
        var rounds = r.GetProperty("verdict_rounds").EnumerateArray().ToList();
        Assert.Equal(5, rounds.Count);
        Assert.All(rounds, round => Assert.All(new[] { "single", "batch", "read_1mb_ns", "read_4mb_ns", "read_16mb_ns" }, f => Assert.True(round.GetProperty(f).GetDouble() > 0, $"{f} in {round}")));
        Assert.Equal(rounds.Max(x => x.GetProperty("single").GetDouble()), r.GetProperty("verdicts_per_second").GetDouble());
        Assert.Equal(rounds.Max(x => x.GetProperty("batch").GetDouble()), r.GetProperty("batch_verdicts_per_second").GetDouble());
        foreach (var (size, field) in new[] { ("1mb", "read_1mb_ns"), ("4mb", "read_4mb_ns"), ("16mb", "read_16mb_ns") })
        {
            var median = r.GetProperty("memory_read_ns").GetProperty(size).GetDouble();
            Assert.Contains(median, rounds.Select(x => x.GetProperty(field).GetDouble()));
        }

        // Collections during the timed stream, and the updates they fell in: no more updates met a collection than
        // there were collections or updates, and the p99 of the others is a time within the stream's.
        var collections = r.GetProperty("churn_collections");
        Assert.Equal(["gen0", "gen1", "gen2"], collections.EnumerateObject().Select(p => p.Name));
        Assert.All(collections.EnumerateObject(), p => Assert.True(p.Value.GetInt32() >= 0, p.ToString()));
        var met = r.GetProperty("updates_with_collection").GetInt32();
        Assert.InRange(met, 0, Math.Min(300, collections.GetProperty("gen0").GetInt32()));
        Assert.True(r.GetProperty("churn_gc_pause_ms").GetDouble() >= 0);
        var withoutCollection = r.GetProperty("incremental_update_p99_without_collection_us").GetDouble();
        Assert.True(withoutCollection > 0 && withoutCollection <= r.GetProperty("incremental_update_max_us").GetDouble(), $"p99 without collections {withoutCollection}");

        // Updates by kind add up to the stream; each kind has a p99, and one without collections unless a collection
        // fell in every update of that kind; every such p99 is a time within the stream's.
        var byKind = r.GetProperty("updates_by_kind").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(300, byKind.Values.Sum());
        Assert.Equal(byKind.Keys.Order(), r.GetProperty("incremental_p99_by_kind_us").EnumerateObject().Select(p => p.Name).Order());
        var max = r.GetProperty("incremental_update_max_us").GetDouble();
        var kindsWithout = r.GetProperty("incremental_p99_by_kind_without_collection_us").EnumerateObject().ToList();
        Assert.All(kindsWithout, p => Assert.True(byKind.ContainsKey(p.Name) && p.Value.GetDouble() > 0 && p.Value.GetDouble() <= max, p.ToString()));
        Assert.True(kindsWithout.Count >= byKind.Count - met, $"{kindsWithout.Count} kinds without collections, {byKind.Count} kinds, {met} updates met one");
    }

    [Fact]
    public void BenchEngine_Table_HasOneValuePerRow_NestedMeasuresNamedByPath()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "engine", "--endpoints", "300", "--policies", "30", "--updates", "200", "--naive-samples", "2");

        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(r => r[0], r => r.Length > 1 ? r[1].Trim() : string.Empty, StringComparer.Ordinal);
        Assert.All(rows, r => Assert.False(r.Value.Contains('{') || r.Value.Length == 0, $"{r.Key} has no single value: '{r.Value}'"));
        Assert.Equal("300", rows["endpoints"]);
        foreach (var name in new[] { "incremental_p99_by_kind_us.pod-add", "churn_collections.gen0", "churn_collections.gen2", "verdict_rounds[0].single", "verdict_rounds[4].read_16mb_ns", "memory_read_ns.16mb" })
        {
            Assert.True(rows.TryGetValue(name, out var value) && double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _), $"missing or not a number: {name}");
        }
    }

    [Fact]
    public void ConnectivityClasses_CoverEveryWorkload_AndAgreeWithPairs()
    {
        var shop = Path.Combine(RepoPaths.Examples, "shop");
        var (code, stdout, _) = CliRunner.Run("connectivity", "-f", shop, "-o", "classes");
        Assert.Equal(0, code);
        using var classes = JsonDocument.Parse(stdout);
        var members = classes.RootElement.GetProperty("classes").EnumerateArray().SelectMany(c => c.GetProperty("members").EnumerateArray().Select(m => m.GetString()!)).ToList();
        Assert.Equal(members.Count, members.Distinct().Count());

        var (code2, pairsOut, _) = CliRunner.Run("connectivity", "-f", shop, "-o", "json");
        Assert.Equal(0, code2);
        using var pairs = JsonDocument.Parse(pairsOut);
        var connections = pairs.RootElement.GetProperty("connections").EnumerateArray().ToList();
        var workloads = connections.Select(c => c.GetProperty("from").GetString()!).Distinct().ToList();
        Assert.Equal(workloads.Order(StringComparer.Ordinal), members.Order(StringComparer.Ordinal));
        var allowedDistinct = connections.Count(c => c.GetProperty("allowed").GetBoolean() && c.GetProperty("from").GetString() != c.GetProperty("to").GetString());
        Assert.Equal(allowedDistinct, classes.RootElement.GetProperty("summary").GetProperty("allowedPairs").GetInt64());
    }
}
