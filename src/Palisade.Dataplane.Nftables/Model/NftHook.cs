using System.Globalization;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>What makes a chain a base chain: a filter chain on a hook, at a priority relative to <c>filter</c>, with a policy.</summary>
public sealed record NftHook(NftHookPoint Point, int Priority = 0, NftVerdictKind Policy = NftVerdictKind.Accept)
{
    public override string ToString()
    {
        var priority = Priority switch
        {
            0 => "filter",
            > 0 => $"filter + {Priority.ToString(CultureInfo.InvariantCulture)}",
            _ => $"filter - {(-Priority).ToString(CultureInfo.InvariantCulture)}",
        };
        var policy = Policy == NftVerdictKind.Drop ? "drop" : "accept";
        return $"type filter hook {Point.ToString().ToLowerInvariant()} priority {priority}; policy {policy};";
    }
}
