using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Palisade.Server.Tests;

/// <summary>The real kubectl against the server, as a user drives it: the contract's commands on the example shop, on each store.</summary>
public abstract class KubectlContract(ServerFixture fixture)
{
    /// <summary>Where tests make objects of their own, apart from the shop's.</summary>
    private const string Scratch = "kubectl-scratch";

    private static readonly string Shop = Path.Combine("examples", "shop");

    protected Kubectl Kubectl => fixture.Kubectl;

    [Fact]
    public async Task Apply_NamespacesThenShop_CreatesEveryServedObjectAndRefusesOnlyServiceAndConfigMap()
    {
        await ApplyShopAsync();

        foreach (var (kind, resource) in new[] { ("Deployment", "deployments"), ("StatefulSet", "statefulsets"), ("NetworkPolicy", "networkpolicies"), ("ServiceAccount", "serviceaccounts"), ("CronJob", "cronjobs") })
        {
            var (code, output, error) = await Kubectl.RunAsync("get", resource, "-A", "--field-selector", $"metadata.namespace!={Scratch}", "-o", "name");
            Assert.True(code == 0, error);
            Assert.Equal(CountInShop(kind), output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
    }

    [Fact]
    public async Task Apply_Twice_SecondRunChangesNothing()
    {
        await ApplyShopAsync();
        var before = await Kubectl.RunAsync("get", "networkpolicies", "-A", "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}");

        var (_, output, _) = await Kubectl.RunAsync("apply", "-R", "-f", Shop);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.EndsWith(" unchanged", l, StringComparison.Ordinal));
        var after = await Kubectl.RunAsync("get", "networkpolicies", "-A", "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}");
        Assert.Equal(before.Out, after.Out);
    }

    [Fact]
    public async Task GetAllNamespaces_Table_ListsNamespaceNameAndAge()
    {
        await ApplyShopAsync();

        var (code, output, error) = await Kubectl.RunAsync("get", "deployments", "-A");

        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAMESPACE\s+NAME\s+AGE$", lines[0]);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^shop-api\s+gateway\s+\d+[smh]"));
        Assert.Equal(CountInShop("Deployment") + 1, lines.Length);
    }

    [Fact]
    public async Task GetAll_ListsTheWorkloadsOnly()
    {
        await ApplyShopAsync();

        var (code, output, error) = await Kubectl.RunAsync("get", "all", "-n", "shop-api", "-o", "name");

        Assert.True(code == 0, error);
        var kinds = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf('/', StringComparison.Ordinal)]).ToHashSet();
        Assert.Equal(["cronjob.batch", "deployment.apps"], kinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetWithLabelSelector_ListsOnlyMatchingObjects()
    {
        await ApplyShopAsync();

        var (code, output, error) = await Kubectl.RunAsync("get", "deployments", "-A", "-l", "app in (gateway,frontend),tier!=nothing", "-o", "name");

        Assert.True(code == 0, error);
        Assert.Equal(["deployment.apps/frontend", "deployment.apps/gateway"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetOutputYaml_HasTheLastAppliedConfigurationAndServerMetadata()
    {
        await ApplyShopAsync();

        var (code, output, error) = await Kubectl.RunAsync("get", "deployment", "gateway", "-n", "shop-api", "-o", "yaml");

        Assert.True(code == 0, error);
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", output, StringComparison.Ordinal);
        Assert.Matches(@"resourceVersion: ""\d+""", output);
        Assert.Matches(@"uid: [0-9a-f-]{36}", output);
        Assert.Contains("generation: 1", output, StringComparison.Ordinal);
        Assert.Contains("containerPort: 8080", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_ChangedPolicy_ShowsTheChangeAndExits1_UnchangedExits0()
    {
        await ApplyShopAsync();
        var policy = Path.Combine(Shop, "policies", "api-gateway.yaml");
        var changed = File.ReadAllText(Path.Combine(Kubectl.Root, policy)).Replace("port: http", "port: 8081", StringComparison.Ordinal);

        var same = await Kubectl.RunAsync("diff", "-f", policy);
        var different = await Kubectl.RunWithInputAsync(changed, "diff", "-f", "-");

        Assert.True(same.Code == 0, same.Out + same.Err);
        Assert.True(different.Code == 1, different.Out + different.Err);
        Assert.Contains("+    - port: 8081", different.Out, StringComparison.Ordinal);
        Assert.Contains("-    - port: http", different.Out, StringComparison.Ordinal);
        var live = await Kubectl.RunAsync("get", "networkpolicy", "gateway-from-api-clients", "-n", "shop-api", "-o", "jsonpath={.spec.ingress[0].ports[0].port}");
        Assert.Equal("http", live.Out);
    }

    [Fact]
    public async Task Apply_InvalidPolicy_IsRefusedWithTheLoadersFieldPathAndMessage()
    {
        await ApplyShopAsync();
        const string Bad = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: bad-port, namespace: shop-web}
            spec:
              podSelector: {}
              ingress:
              - ports:
                - port: 99999
            """;

        var (code, _, error) = await Kubectl.RunWithInputAsync(Bad, "apply", "-f", "-");

        Assert.NotEqual(0, code);
        Assert.Contains("The NetworkPolicy \"bad-port\" is invalid: spec.ingress[0].ports[0].port: must be between 1 and 65535, got 99999", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_InANamespaceThatDoesNotExist_IsRefused()
    {
        const string Orphan = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: orphan, namespace: no-such-namespace}
            """;

        var (code, _, error) = await Kubectl.RunWithInputAsync(Orphan, "apply", "-f", "-");

        Assert.NotEqual(0, code);
        Assert.Contains("namespaces \"no-such-namespace\" not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_ThenGet_IsNotFound_AndAWatchSeesTheDeletion()
    {
        await ApplyShopAsync();
        await Kubectl.RunWithInputAsync(ServiceAccount("watched"), "apply", "-f", "-");
        using var watch = Kubectl.Start("get", "serviceaccounts", "-n", Scratch, "--watch", "--output-watch-events");
        var lines = new System.Collections.Concurrent.BlockingCollection<string>();
        watch.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Add(line);
            }
        };
        watch.BeginOutputReadLine();
        try
        {
            // The watch lists first (ADDED for every current object); the deletion follows as DELETED.
            Assert.True(WaitFor(lines, l => Regex.IsMatch(l, @"^ADDED\s+watched\s")), "the watch never listed the service account");

            var deleted = await Kubectl.RunAsync("delete", "serviceaccount", "watched", "-n", Scratch);
            var get = await Kubectl.RunAsync("get", "serviceaccount", "watched", "-n", Scratch);

            Assert.True(deleted.Code == 0, deleted.Err);
            Assert.Contains("serviceaccount \"watched\" deleted", deleted.Out, StringComparison.Ordinal);
            Assert.Equal(1, get.Code);
            Assert.Contains("serviceaccounts \"watched\" not found", get.Err, StringComparison.Ordinal);
            Assert.True(WaitFor(lines, l => Regex.IsMatch(l, @"^DELETED\s+watched\s")), "the watch never saw the deletion");
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Patch_MergeAndJson_ChangeTheObject()
    {
        await ApplyShopAsync();
        await Kubectl.RunWithInputAsync(ServiceAccount("patched"), "apply", "-f", "-");

        var merge = await Kubectl.RunAsync("patch", "serviceaccount", "patched", "-n", Scratch, "--type", "merge", "-p", """{"metadata":{"labels":{"team":"storefront"}}}""");
        var json = await Kubectl.RunAsync("patch", "serviceaccount", "patched", "-n", Scratch, "--type", "json", "-p", """[{"op":"add","path":"/metadata/labels/zone","value":"dmz"}]""");
        var labels = await Kubectl.RunAsync("get", "serviceaccounts", "-n", Scratch, "-l", "team=storefront,zone=dmz", "-o", "name");

        Assert.True(merge.Code == 0, merge.Err);
        Assert.True(json.Code == 0, json.Err);
        Assert.Equal("serviceaccount/patched", labels.Out.Trim());
    }

    [Fact]
    public async Task ApplyServerSide_OwnsFieldsConflictsWithAnotherManagerAndForceTakesOver()
    {
        await ApplyShopAsync();
        const string Account = """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: applied
              namespace: kubectl-scratch
              labels: {team: storefront, zone: dmz}
            """;

        var first = await Kubectl.RunWithInputAsync(Account, "apply", "--server-side", "-f", "-");
        var patched = await Kubectl.RunAsync("patch", "serviceaccount", "applied", "-n", Scratch, "--type", "merge", "-p", """{"metadata":{"labels":{"zone":"pci"}}}""");
        var conflict = await Kubectl.RunWithInputAsync(Account, "apply", "--server-side", "-f", "-");
        var forced = await Kubectl.RunWithInputAsync(Account.Replace(", zone: dmz", string.Empty, StringComparison.Ordinal), "apply", "--server-side", "--force-conflicts", "-f", "-");
        var labels = await Kubectl.RunAsync("get", "serviceaccount", "applied", "-n", Scratch, "-o", "jsonpath={.metadata.labels}");
        var managers = await Kubectl.RunAsync("get", "serviceaccount", "applied", "-n", Scratch, "--show-managed-fields", "-o", "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}");

        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("serviceaccount/applied serverside-applied", first.Out, StringComparison.Ordinal);
        Assert.True(patched.Code == 0, patched.Err);
        Assert.NotEqual(0, conflict.Code);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using v1: .metadata.labels.zone", conflict.Err, StringComparison.Ordinal);
        Assert.True(forced.Code == 0, forced.Err);

        // The forced apply no longer sets zone, which kubectl-patch still owns: it stays; team is the applier's.
        Assert.Equal("""{"team":"storefront","zone":"pci"}""", labels.Out);
        Assert.Equal(["kubectl-patch/Update", "kubectl/Apply"], managers.Out.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ApplyServerSide_TheShopTwice_AppliesEverythingAndWritesNothingTheSecondTime()
    {
        await ApplyShopAsync();
        var before = await Kubectl.RunAsync("get", "deployments", "-A", "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}");

        var first = await Kubectl.RunAsync("apply", "--server-side", "--force-conflicts", "-R", "-f", Shop);
        var middle = await Kubectl.RunAsync("get", "deployments", "-A", "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}");
        var second = await Kubectl.RunAsync("apply", "--server-side", "-R", "-f", Shop);
        var after = await Kubectl.RunAsync("get", "deployments", "-A", "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}");

        Assert.Contains("deployment.apps/gateway serverside-applied", first.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("conflict", second.Err, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(before.Out, middle.Out);
        Assert.Equal(middle.Out, after.Out);
    }

    protected async Task ApplyShopAsync()
    {
        var namespaces = await Kubectl.RunAsync("apply", "-f", Path.Combine(Shop, "namespaces.yaml"));
        Assert.True(namespaces.Code == 0, namespaces.Err);
        var (_, output, error) = await Kubectl.RunAsync("apply", "-R", "-f", Shop);

        // Services and ConfigMaps are not Palisade's kinds: kubectl reports each, and applies everything else.
        var refused = error.Split('\n').Where(l => l.Contains("no matches for kind", StringComparison.Ordinal)).ToList();
        Assert.All(refused, l => Assert.Matches("kind \"(Service|ConfigMap)\" in version \"v1\"", l));
        Assert.Equal(CountInShop("Service") + CountInShop("ConfigMap"), refused.Count);
        Assert.DoesNotContain("error validating", error, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/gateway", output, StringComparison.Ordinal);
        var scratch = await Kubectl.RunWithInputAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {Scratch}}}\n", "apply", "-f", "-");
        Assert.True(scratch.Code == 0, scratch.Err);
    }

    private static string ServiceAccount(string name) => $"""
        apiVersion: v1
        kind: ServiceAccount
        metadata: {"{"}name: {name}, namespace: {Scratch}{"}"}
        """;

    private static int CountInShop(string kind) =>
        Directory.EnumerateFiles(Path.Combine(Kubectl.Root, Shop), "*.yaml", SearchOption.AllDirectories)
            .Sum(f => File.ReadLines(f).Count(l => l == $"kind: {kind}"));

    private static bool WaitFor(System.Collections.Concurrent.BlockingCollection<string> lines, Func<string, bool> predicate)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)) && predicate(line))
            {
                return true;
            }
        }

        return false;
    }
}
