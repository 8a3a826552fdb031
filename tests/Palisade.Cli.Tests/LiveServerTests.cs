using Palisade.Agent.Tests.Sources;

namespace Palisade.Cli.Tests;

/// <summary>
/// The analysis commands against a live <c>palisade server</c> holding the example shop: the same answers as from the
/// files, a change laid over the live objects, and clear refusals for a bad kubeconfig or an absent server.
/// </summary>
public sealed class LiveServerTests : IAsyncLifetime
{
    private static readonly string Shop = Path.Combine(RepoPaths.Examples, "shop");
    private TestApiServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestApiServer.StartAsync();
        await server.ApplyFilesAsync(Shop);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [InlineData("connectivity", "-o", "json")]
    [InlineData("connectivity", "-o", "classes")]
    [InlineData("check", "--from", "shop-web/frontend", "--to", "shop-api/gateway", "--port", "8080/TCP", "-o", "json")]
    [InlineData("select", "has(pci)", "-o", "json")]
    public void Command_AgainstTheServer_AnswersAsFromTheFiles(params string[] args)
    {
        var live = CliRunner.Run([.. args, "--kubeconfig", server.Kubeconfig]);
        var files = CliRunner.Run([.. args, "-f", Shop]);

        Assert.True(live.ExitCode == files.ExitCode, live.Err);
        Assert.Equal(files.Out, live.Out);
        Assert.NotEmpty(live.Out);
    }

    [Fact]
    public void Lint_AgainstTheServer_FindsWhatItFindsInTheFiles_NamingTheServerAsTheSource()
    {
        var live = CliRunner.Run("lint", "-o", "json", "--kubeconfig", server.Kubeconfig);
        var files = CliRunner.Run("lint", "-o", "json", "-f", Shop);

        Assert.Equal(files.ExitCode, live.ExitCode);
        Assert.Equal(WithoutSources(files.Out), WithoutSources(live.Out));
        Assert.Contains("\"file\": \"https://127.0.0.1:", live.Out, StringComparison.Ordinal);
    }

    /// <summary>Findings with where they were written left out: a file and line here, the request's URL there.</summary>
    private static string WithoutSources(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        void Strip(System.Text.Json.Nodes.JsonNode? n)
        {
            switch (n)
            {
                case System.Text.Json.Nodes.JsonObject o:
                    o.Remove("file");
                    o.Remove("line");
                    o.Remove("column");
                    foreach (var (_, v) in o)
                    {
                        Strip(v);
                    }

                    break;
                case System.Text.Json.Nodes.JsonArray a:
                    foreach (var v in a)
                    {
                        Strip(v);
                    }

                    break;
            }
        }

        Strip(node);
        return node.ToJsonString();
    }

    [Fact]
    public void Diff_AChangeOverTheLiveObjects_IsTheDiffOfTheFiles()
    {
        var next = Path.Combine(RepoPaths.Examples, "shop-next");
        var live = CliRunner.Run("diff", "--kubeconfig", server.Kubeconfig, "-f", next, "-o", "json");
        var files = CliRunner.Run("diff", "-f", Shop, "--against", Shop, "--against", next, "-o", "json");

        Assert.Equal(1, live.ExitCode);
        Assert.Equal(files.Out, live.Out);
    }

    [Fact]
    public void Diff_WithKubeconfigAndAgainst_IsRefused()
    {
        var result = CliRunner.Run("diff", "--kubeconfig", server.Kubeconfig, "-f", Shop, "--against", Shop);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("do not go together", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAbsentServer_ExitsTwo_SayingItIsNotReachable()
    {
        await server.StopAsync();

        var result = CliRunner.Run("connectivity", "--kubeconfig", server.Kubeconfig);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not reachable", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void AWrongToken_ExitsTwo_SayingTheCredentialsWereRefused()
    {
        var forged = Path.Combine(server.Data, "forged.kubeconfig");
        var text = File.ReadAllText(server.Kubeconfig);
        var token = System.Text.RegularExpressions.Regex.Match(text, "token: *\"?([^\"\\s]+)").Groups[1].Value;
        Assert.NotEmpty(token);
        File.WriteAllText(forged, text.Replace(token, "not-the-token", StringComparison.Ordinal));

        var result = CliRunner.Run("connectivity", "--kubeconfig", forged);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("were refused", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingKubeconfig_ExitsTwo() =>
        Assert.Contains("no such kubeconfig file", CliRunner.Run("connectivity", "--kubeconfig", "/nonexistent/kubeconfig").Err, StringComparison.Ordinal);
}
