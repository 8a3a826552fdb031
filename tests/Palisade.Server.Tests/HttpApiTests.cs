using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Palisade.Server.Security;

namespace Palisade.Server.Tests;

/// <summary>The API at the HTTP level: Status codes and reasons, authentication, paging, tables, watches, bounds.</summary>
public sealed class HttpApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Namespaces = "/api/v1/namespaces";

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token")]
    public async Task AnyEndpoint_WithoutTheAdminToken_Is401Status(string? token)
    {
        using var client = fixture.Client(token);

        foreach (var path in new[] { "/version", "/api", "/openapi/v3", Namespaces })
        {
            using var response = await client.GetAsync(path);
            var status = await ReadAsync(response);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Status", (string?)status["kind"]);
            Assert.Equal("Unauthorized", (string?)status["reason"]);
        }
    }

    [Fact]
    public async Task Get_Missing_Is404NotFound()
    {
        using var client = fixture.Client();

        var (code, status) = await SendAsync(client, HttpMethod.Get, $"{Namespaces}/no-such-namespace");

        Assert.Equal(404, code);
        Assert.Equal("NotFound", (string?)status["reason"]);
        Assert.Equal("namespaces \"no-such-namespace\" not found", (string?)status["message"]);
    }

    [Fact]
    public async Task Create_Twice_Is409AlreadyExists_AndAStaleUpdateIs409Conflict()
    {
        using var client = fixture.Client();
        var (created, ns) = await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("conflicts"));
        var (again, exists) = await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("conflicts"));
        var stale = Namespace("conflicts", labels: """{"x":"1"}""", resourceVersion: (string?)ns["metadata"]!["resourceVersion"]);
        var (updated, _) = await SendAsync(client, HttpMethod.Put, $"{Namespaces}/conflicts", stale);
        var (conflict, status) = await SendAsync(client, HttpMethod.Put, $"{Namespaces}/conflicts", stale);

        Assert.Equal(201, created);
        Assert.Equal(409, again);
        Assert.Equal("AlreadyExists", (string?)exists["reason"]);
        Assert.Equal(200, updated);
        Assert.Equal(409, conflict);
        Assert.Equal("Conflict", (string?)status["reason"]);
    }

    [Fact]
    public async Task Create_Invalid_Is422InvalidWithEachErrorsFieldPath()
    {
        using var client = fixture.Client();
        await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("invalid"));
        const string Policy = """
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p","namespace":"invalid"},
             "spec":{"podSelector":{},"ingress":[{"ports":[{"port":0},{"port":80,"protocol":"ICMP"}]}]}}
            """;

        var (code, status) = await SendAsync(client, HttpMethod.Post, "/apis/networking.k8s.io/v1/namespaces/invalid/networkpolicies", Policy);
        var (listed, list) = await SendAsync(client, HttpMethod.Get, "/apis/networking.k8s.io/v1/namespaces/invalid/networkpolicies");

        Assert.Equal(422, code);
        Assert.Equal("Invalid", (string?)status["reason"]);
        var fields = status["details"]!["causes"]!.AsArray().Select(c => (string?)c!["field"]).ToList();
        Assert.Equal(["spec.ingress[0].ports[0].port", "spec.ingress[0].ports[1].protocol"], fields);
        Assert.Equal(200, listed);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task DryRunCreate_AnswersTheObjectAndStoresNothing()
    {
        using var client = fixture.Client();

        var (code, obj) = await SendAsync(client, HttpMethod.Post, $"{Namespaces}?dryRun=All", Namespace("dry"));
        var (after, _) = await SendAsync(client, HttpMethod.Get, $"{Namespaces}/dry");

        Assert.Equal(201, code);
        Assert.Equal("dry", (string?)obj["metadata"]!["name"]);
        Assert.Equal(404, after);
    }

    [Fact]
    public async Task List_WithLimit_PagesThroughEveryObjectOnceAtOneRevision()
    {
        using var client = fixture.Client();
        await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("paging"));
        for (var i = 0; i < 5; i++)
        {
            await SendAsync(client, HttpMethod.Post, "/api/v1/namespaces/paging/serviceaccounts", """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa-""" + i + "\"}}");
        }

        var names = new List<string>();
        var revisions = new HashSet<string>();
        var pages = 0;
        string? next = null;
        do
        {
            var (code, page) = await SendAsync(client, HttpMethod.Get, "/api/v1/namespaces/paging/serviceaccounts?limit=2" + (next is null ? "" : "&continue=" + Uri.EscapeDataString(next)));
            Assert.Equal(200, code);
            names.AddRange(page["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
            revisions.Add((string)page["metadata"]!["resourceVersion"]!);
            next = (string?)page["metadata"]!["continue"];
            pages++;
        }
        while (next is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"sa-{i}"), names);
        Assert.Single(revisions);
    }

    [Fact]
    public async Task List_AsTable_HasColumnsAndARowPerObject()
    {
        using var client = fixture.Client();
        await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("tabled"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Namespaces + "?fieldSelector=metadata.name%3Dtabled");
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await client.SendAsync(request);
        var table = await ReadAsync(response);

        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal(["Name", "Status", "Age"], table["columnDefinitions"]!.AsArray().Select(c => (string)c!["name"]!));
        var row = Assert.Single(table["rows"]!.AsArray());
        Assert.Equal("tabled", (string?)row!["cells"]![0]);
        Assert.Equal("Active", (string?)row["cells"]![1]);
    }

    [Fact]
    public async Task Watch_FromARevision_SendsOnlyLaterChangesInOrder()
    {
        using var client = fixture.Client();
        var (_, first) = await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("watch-a"));
        var from = (string)first["metadata"]!["resourceVersion"]!;
        await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("watch-b"));
        await SendAsync(client, HttpMethod.Delete, $"{Namespaces}/watch-a");

        var events = await WatchAsync(client, $"{Namespaces}?watch=true&resourceVersion={from}&fieldSelector=metadata.name%21%3Dother", count: 2);

        Assert.Equal(["ADDED watch-b", "DELETED watch-a"], events.Select(e => $"{e["type"]} {e["object"]!["metadata"]!["name"]}"));
        var revisions = events.Select(e => long.Parse((string)e["object"]!["metadata"]!["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(revisions[0] > long.Parse(from, System.Globalization.CultureInfo.InvariantCulture) && revisions[1] > revisions[0]);
    }

    [Fact]
    public async Task Watch_QuietWithBookmarks_SendsABookmarkAtTheLastRevision()
    {
        using var client = fixture.Client();
        var (_, created) = await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("bookmarked"));
        var revision = (string)created["metadata"]!["resourceVersion"]!;

        var events = await WatchAsync(client, $"{Namespaces}?watch=true&allowWatchBookmarks=true&resourceVersion={revision}&labelSelector=none%3Dthere", count: 1);

        var bookmark = Assert.Single(events);
        Assert.Equal("BOOKMARK", (string?)bookmark["type"]);
        Assert.Equal(revision, (string?)bookmark["object"]!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Watch_FromACompactedRevision_IsA410StatusErrorEvent()
    {
        using var client = fixture.Client();
        var (_, created) = await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("compacted"));
        var old = long.Parse((string)created["metadata"]!["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture);
        await SendAsync(client, HttpMethod.Delete, $"{Namespaces}/compacted");
        await fixture.Server.Store.CompactAsync(await fixture.Server.Store.GetRevisionAsync(CancellationToken.None), CancellationToken.None);

        var events = await WatchAsync(client, $"{Namespaces}?watch=true&resourceVersion={old - 1}", count: 1);

        var error = Assert.Single(events);
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int?)error["object"]!["code"]);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);
    }

    [Fact]
    public async Task Body_Malformed_Is400_TooDeeplyNested_Is400_AndTooLarge_Is413()
    {
        var options = fixture.Options() with { DataDirectory = Path.Combine(fixture.DataDirectory, "small"), MaxRequestBodyBytes = 4096, Store = null };
        await using var server = await ServerFixture.StartAsync(options);
        using var client = ServerFixture.ClientFor(server);
        var deep = """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"deep"},"spec":""" + string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2001);
        var large = """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"large","labels":{"x":""" + "\"" + new string('a', 5000) + "\"}}}";

        var (malformedCode, malformedStatus) = await SendAsync(client, HttpMethod.Post, Namespaces, deep[..4000]);
        var (deepCode, deepStatus) = await SendAsync(fixture.Client(), HttpMethod.Post, Namespaces, deep);
        var (largeCode, largeStatus) = await SendAsync(client, HttpMethod.Post, Namespaces, large);

        Assert.Equal(400, malformedCode);
        Assert.Equal("BadRequest", (string?)malformedStatus["reason"]);
        Assert.Equal(400, deepCode);
        Assert.Contains("depth", (string?)deepStatus["message"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal(413, largeCode);
        Assert.Equal("RequestEntityTooLarge", (string?)largeStatus["reason"]);
    }

    [Fact]
    public async Task Restart_KeepsTheCaTheTokenAndTheObjects_AndRewritesTheKubeconfig()
    {
        var options = fixture.Options() with { DataDirectory = Path.Combine(fixture.DataDirectory, "restart"), Store = null };
        string token;
        string ca;
        await using (var first = await ServerFixture.StartAsync(options))
        {
            using var client = ServerFixture.ClientFor(first);
            Assert.Equal(201, (await SendAsync(client, HttpMethod.Post, Namespaces, Namespace("kept"))).Code);
            token = AdminKubeconfig.ReadToken(first.KubeconfigPath)!;
            ca = File.ReadAllText(Path.Combine(options.DataDirectory, "pki", "ca.crt"));
            Assert.True(first.IssuedNewToken);
        }

        await using var second = await ServerFixture.StartAsync(options);
        using var again = ServerFixture.ClientFor(second);
        var (code, _) = await SendAsync(again, HttpMethod.Get, $"{Namespaces}/kept");

        Assert.False(second.IssuedNewToken);
        Assert.Equal(token, AdminKubeconfig.ReadToken(second.KubeconfigPath));
        Assert.Equal(ca, File.ReadAllText(Path.Combine(options.DataDirectory, "pki", "ca.crt")));
        Assert.Equal(200, code);
        Assert.DoesNotContain(token, File.ReadAllText(Path.Combine(options.DataDirectory, "pki", "admin-token.sha256")), StringComparison.Ordinal);
    }

    private static string Namespace(string name, string labels = "{}", string? resourceVersion = null) =>
        """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":""" + "\"" + name + "\",\"labels\":" + labels
        + (resourceVersion is null ? "" : ",\"resourceVersion\":\"" + resourceVersion + "\"") + "}}";

    private static async Task<(int Code, JsonObject Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject ?? throw new InvalidOperationException("not a JSON object");

    /// <summary>Reads <paramref name="count"/> events of a watch, within 20 seconds.</summary>
    private static async Task<List<JsonObject>> WatchAsync(HttpClient client, string path, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<JsonObject>();
        while (events.Count < count && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            events.Add((JsonObject)JsonNode.Parse(line)!);
        }

        return events;
    }
}
