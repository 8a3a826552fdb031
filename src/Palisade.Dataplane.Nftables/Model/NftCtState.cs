namespace Palisade.Dataplane.Nftables.Model;

/// <summary>One or more conntrack states (<c>established,related</c>).</summary>
public sealed record NftCtState(NftCtStates States) : NftValue
{
    public override string ToString()
    {
        var names = new List<string>(4);
        foreach (var (state, name) in Names)
        {
            if ((States & state) != 0)
            {
                names.Add(name);
            }
        }

        return string.Join(',', names);
    }

    private static readonly (NftCtStates State, string Name)[] Names =
        [(NftCtStates.New, "new"), (NftCtStates.Established, "established"), (NftCtStates.Related, "related"), (NftCtStates.Invalid, "invalid")];
}
