namespace Palisade.Dataplane.Nftables.Model;

/// <summary>The netfilter hook a base chain is attached to.</summary>
public enum NftHookPoint
{
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}
