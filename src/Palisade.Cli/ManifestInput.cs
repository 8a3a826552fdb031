using Palisade.Manifests;

namespace Palisade.Cli;

/// <summary>Loads the manifests a command was given and reports problems; null means bad input (exit 2).</summary>
internal static class ManifestInput
{
    /// <param name="side">Names the input in messages when a command reads two sets (diff: "current", "proposed").</param>
    /// <param name="hostNetworkPods">How pods on the host's network are read (<c>--host-network-pods</c>).</param>
    public static LoadResult? Load(CliContext context, IReadOnlyList<string>? paths, bool printWarnings = true, string? side = null, HostNetworkPods hostNetworkPods = HostNetworkPods.Unisolated)
    {
        var prefix = side is null ? string.Empty : $"{side}: ";
        if (paths is null || paths.Count == 0)
        {
            throw new UsageException("no manifests given: pass -f PATH (a file or a directory)");
        }

        var result = new ManifestLoader(hostNetworkPods: hostNetworkPods).Load(paths);
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
}
