namespace Palisade.Client;

/// <summary>
/// Reads a server's current objects of the kinds a reader wants, as list pages to load like files: what the analysis
/// commands read with <c>--kubeconfig</c>.
/// </summary>
public static class ClusterSnapshot
{
    /// <summary>Objects per list request: large enough for few round trips, small enough to bound each answer.</summary>
    public const int PageSize = 500;

    /// <param name="wanted">Which (apiVersion, kind) to read: the loader's own test, so nothing it would skip is fetched.</param>
    public static async Task<IReadOnlyList<ApiListPage>> ReadAsync(ApiClient client, Func<string, string, bool> wanted, CancellationToken cancellationToken)
    {
        var resources = ApiDiscovery.Select(await ApiDiscovery.ReadAsync(client, cancellationToken).ConfigureAwait(false), wanted);
        var pages = new List<ApiListPage>();
        foreach (var resource in resources)
        {
            await foreach (var page in client.ListAsync(resource.ListPath, PageSize, cancellationToken).ConfigureAwait(false))
            {
                pages.Add(page);
            }
        }

        return pages;
    }
}
