using System.Text.Json;

namespace Palisade.Cli.Tests;

/// <summary>The example shop's policies do what examples/shop.expect.json says they are meant to do.</summary>
public sealed class ExampleShopTests
{
    private static string Shop => Path.Combine(RepoPaths.Examples, "shop");

    [Fact]
    public void Shop_EveryIntendedProbe_HoldsThroughConnectivity()
    {
        using var expect = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Examples, "shop.expect.json")));
        var args = new List<string> { "connectivity", "-f", Shop, "-o", "json" };
        foreach (var p in expect.RootElement.GetProperty("ports").EnumerateArray())
        {
            args.AddRange(["--port", p.GetString()!]);
        }

        var (code, stdout, stderr) = CliRunner.Run([.. args]);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var actual = doc.RootElement.GetProperty("connections").EnumerateArray().ToDictionary(
            c => (c.GetProperty("from").GetString()!, c.GetProperty("to").GetString()!, $"{c.GetProperty("port").GetInt32()}/{c.GetProperty("protocol").GetString()}"),
            c => (c.GetProperty("allowed").GetBoolean(), c.GetProperty("egress").GetProperty("explanation").GetString() + "; " + c.GetProperty("ingress").GetProperty("explanation").GetString()));
        var probes = expect.RootElement.GetProperty("probes").EnumerateArray().ToList();
        Assert.True(probes.Count >= 40, "the example should carry at least 40 probes");
        var mismatches = new List<string>();
        foreach (var probe in probes)
        {
            var key = (probe[0].GetString()!, probe[1].GetString()!, probe[2].GetString()!);
            var expected = probe[3].GetBoolean();
            if (!actual.TryGetValue(key, out var got))
            {
                mismatches.Add($"{key}: not in the output");
            }
            else if (got.Item1 != expected)
            {
                mismatches.Add($"{key}: expected {(expected ? "allowed" : "denied")}, got {got.Item2}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Shop_Loads_WithControllersAsWorkloads_AndSkipsServicesAndConfigMaps()
    {
        var (code, _, stderr) = CliRunner.Run("select", "all()", "-f", Shop, "-o", "json", "-v");

        Assert.Equal(0, code);
        Assert.Contains("skipped Service", stderr, StringComparison.Ordinal);
        Assert.Contains("skipped ConfigMap", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Shop_SelectPersonality_FindsPciWorkloads()
    {
        var (code, stdout, _) = CliRunner.Run("select", "pci == 'true'", "-f", Shop, "-o", "json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(["shop-payments/payments", "shop-payments/vault"], doc.RootElement.GetProperty("workloads").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void DirectoryWithAStrayJsonFile_SkipsItWithAWarning()
    {
        var dir = Directory.CreateTempSubdirectory("palisade-stray-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n");
            File.WriteAllText(Path.Combine(dir, "expect.json"), """{"ports": ["80/TCP"], "allowed": []}""");

            var (code, _, stderr) = CliRunner.Run("select", "all()", "-f", dir);

            Assert.Equal(0, code);
            Assert.Contains("expect.json:1:1: warning: document 1: not a Kubernetes object", stderr, StringComparison.Ordinal);

            var (named, _, namedErr) = CliRunner.Run("select", "all()", "-f", Path.Combine(dir, "expect.json"));
            Assert.Equal(2, named);
            Assert.Contains("apiVersion: required field is missing", namedErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
