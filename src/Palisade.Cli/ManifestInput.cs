using Palisade.Client;
using Palisade.Manifests;

namespace Palisade.Cli;

/// <summary>
/// Loads what a command was given (manifest files, a live server through a kubeconfig, or a change laid over a live
/// server) and reports problems; null means bad input (exit 2).
/// </summary>
internal static class ManifestInput
{
    /// <summary>How long reading a server may take before the command gives up (every list of every kind together).</summary>
    private static readonly TimeSpan ServerReadTimeout = TimeSpan.FromSeconds(120);

    /// <param name="side">Names the input in messages when a command reads two sets (diff: "current", "proposed").</param>
    /// <param name="hostNetworkPods">How pods on the host's network are read (<c>--host-network-pods</c>).</param>
    /// <param name="server">A live server's objects (<see cref="ReadServer"/>); <paramref name="paths"/> are then laid over them.</param>
    public static LoadResult? Load(CliContext context, IReadOnlyList<string>? paths, bool printWarnings = true, string? side = null, HostNetworkPods hostNetworkPods = HostNetworkPods.Unisolated, ServerObjects? server = null)
    {
        var prefix = side is null ? string.Empty : $"{side}: ";
        if (server is null && (paths is null || paths.Count == 0))
        {
            throw new UsageException("no manifests given: pass -f/--file PATH (a file or a directory) or --kubeconfig FILE (a live server)");
        }

        var loader = new ManifestLoader(hostNetworkPods: hostNetworkPods);
        var result = server is null
            ? loader.Load(paths!)
            : loader.LoadOverlay(server.Pages.Select(p => (p.Source, p.Json)), paths ?? []);
        foreach (var d in result.Diagnostics.Where(d => printWarnings || d.Severity == DiagnosticSeverity.Error))
        {
            context.Error.WriteLine(d.ToString());
        }

        if (!result.Succeeded)
        {
            var count = result.Errors.Count();
            context.Error.WriteLine($"{prefix}{count} error{(count == 1 ? string.Empty : "s")}; nothing was analysed.");
            return null;
        }

        if (context.Verbose)
        {
            context.Error.WriteLine($"{prefix}read {result.ObjectCount} objects: {result.Cluster.Namespaces.Length} namespaces, {result.Cluster.Workloads.Length} workloads, {result.Policies.PolicyCount} policies; skipped {result.Skipped.Count}");
            foreach (var s in result.Skipped)
            {
                context.Error.WriteLine($"  skipped {s}");
            }
        }
        else if (result.Skipped.Count > 0)
        {
            var kinds = result.Skipped.GroupBy(s => s.Kind, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
            context.Error.WriteLine($"{prefix}skipped {result.Skipped.Count} object{(result.Skipped.Count == 1 ? string.Empty : "s")} of kinds Palisade does not read ({string.Join(", ", kinds)}); -v lists them");
        }

        return result;
    }

    /// <summary>
    /// Reads every object of the kinds Palisade reads from the server a kubeconfig names; null without a kubeconfig.
    /// A server that cannot be read is a usage error (exit 2) naming the kubeconfig and what the server said.
    /// </summary>
    public static ServerObjects? ReadServer(CliContext context, string? kubeconfig, string? kubeContext)
    {
        if (kubeconfig is null)
        {
            return null;
        }

        try
        {
            using var client = ApiClient.FromKubeconfig(kubeconfig, kubeContext);
            using var timeout = new CancellationTokenSource(ServerReadTimeout);
            var reads = new ManifestLoader();
            var pages = ClusterSnapshot.ReadAsync(client, reads.Reads, timeout.Token).GetAwaiter().GetResult();
            if (context.Verbose)
            {
                context.Error.WriteLine($"read {pages.Count} list pages from {client.Server}");
            }

            return new ServerObjects(client.Server, pages);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
        catch (ApiStatusException e)
        {
            var hint = e.Code is 401 or 403 ? $" (the credentials in {kubeconfig} were refused)" : string.Empty;
            throw new UsageException($"--kubeconfig {kubeconfig}: {e.Message}{hint}");
        }
        catch (OperationCanceledException)
        {
            throw new UsageException($"--kubeconfig {kubeconfig}: the server did not answer within {ServerReadTimeout.TotalSeconds:0} s");
        }
    }
}
