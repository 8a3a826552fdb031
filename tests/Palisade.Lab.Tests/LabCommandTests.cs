using System.Text.Json;
using Palisade.Cli;

namespace Palisade.Lab.Tests;

/// <summary><c>palisade lab up/status/probe/down</c> end to end, through the command line.</summary>
[Collection(OneLabAtATime.Name)]
public sealed class LabCommandTests : IDisposable
{
    private readonly string statePath = LabTestSupport.NewStatePath();
    private readonly string manifest;

    public LabCommandTests()
    {
        manifest = Path.Combine(Path.GetDirectoryName(statePath)!, "pods.yaml");
        File.WriteAllText(manifest, LabTestSupport.FourPods);
        new LocalLab(statePath).Down();
    }

    public void Dispose()
    {
        new LocalLab(statePath).Down();
        Directory.Delete(Path.GetDirectoryName(statePath)!, recursive: true);
    }

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run([.. args, "--state", statePath], stdout, stderr, isTerminal: false);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void UpStatusProbeDown_ThroughTheCommandLine()
    {
        var up = Run("lab", "up", "-f", manifest, "--nodes", "2", "--port", "80/UDP");
        Assert.True(up.Code == 0, up.Err);
        Assert.Contains("4 pods on 2 nodes", up.Out, StringComparison.Ordinal);
        Assert.Contains("x/web", up.Err, StringComparison.Ordinal);

        var status = Run("lab", "status", "-o", "json");
        Assert.Equal(0, status.Code);
        using (var doc = JsonDocument.Parse(status.Out))
        {
            Assert.True(doc.RootElement.GetProperty("serverRunning").GetBoolean());
            var pods = doc.RootElement.GetProperty("state").GetProperty("pods").EnumerateArray().ToList();
            Assert.Equal(["x/a", "x/b", "y/a", "y/b"], pods.Select(p => p.GetProperty("workloadId").GetString()));
            Assert.Equal(["80/TCP", "80/UDP", "81/UDP"], pods[1].GetProperty("ports").EnumerateArray().Select(p => p.GetString()));
        }

        var table = Run("lab", "status");
        Assert.Contains("pal-node-2", table.Out, StringComparison.Ordinal);
        Assert.Contains("server: running", table.Out, StringComparison.Ordinal);

        var probe = Run("lab", "probe", "--from", "x/a", "--to", "y/b", "--port", "80/TCP", "--port", "80/UDP");
        Assert.True(probe.Code == 0, probe.Out + probe.Err);
        Assert.Contains("connected", probe.Out, StringComparison.Ordinal);

        var refused = Run("lab", "probe", "--from", "x/a", "--to", "10.0.2.2", "--port", "9999/TCP", "-o", "json");
        Assert.Equal(1, refused.Code);
        Assert.Contains("\"outcome\": \"refused\"", refused.Out, StringComparison.Ordinal);

        var all = Run("lab", "probe", "-o", "json");
        Assert.Equal(0, all.Code);
        using (var doc = JsonDocument.Parse(all.Out))
        {
            Assert.Equal(36, doc.RootElement.GetProperty("total").GetInt32());
        }

        var down = Run("lab", "down");
        Assert.Equal(0, down.Code);
        Assert.Contains("removed 7 namespaces", down.Out, StringComparison.Ordinal);
        Assert.Empty(LabTestSupport.LabNamespacesListed());

        var again = Run("lab", "down");
        Assert.Equal(0, again.Code);
        Assert.Contains("nothing to remove", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_NoLab_IsBadInput()
    {
        var probe = Run("lab", "probe", "--from", "x/a", "--to", "y/b");

        Assert.Equal(2, probe.Code);
        Assert.Contains("no lab is up", probe.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_NoLab_SaysSo()
    {
        var status = Run("lab", "status");

        Assert.Equal(0, status.Code);
        Assert.Contains("no lab is up", status.Out, StringComparison.Ordinal);
    }
}
