using Palisade.Dataplane.Nftables;
using Palisade.Linux;

namespace Palisade.Bench;

/// <summary>One libnftables context in the router namespace, loading whole tables for each scenario.</summary>
internal sealed class RouterTables : IDisposable
{
    private readonly NftablesContext context;

    public RouterTables(string router) => context = NetworkNamespace.Run(router, () => new NftablesContext());

    public void Load(string? script)
    {
        var commands = "flush ruleset\n" + (script ?? string.Empty);
        context.Run(commands);
    }

    /// <summary>Empties the router's conntrack table, so that no scenario meets another's entries.</summary>
    public static void ForgetConnections() => BenchTopology.Run("ip", ["netns", "exec", BenchTopology.Router, "conntrack", "-F"], null);

    public void Dispose() => context.Dispose();
}
