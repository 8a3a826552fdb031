using System.Net;

namespace Palisade.Engine.Calculation;

/// <summary>The remote end as rules read it: whether it is a pod, its peer block and signature; its address when a rule asks.</summary>
internal struct RemoteView
{
    public int Handle;
    public IPAddress? Address;
    public bool IsPod;
    public int[] Matchers;
    public ulong SignatureLow;
    public ulong SignatureHigh;

    /// <summary>The address word (see <see cref="EndpointHot.Word"/>): an endpoint's with its entry, an outside address's when the first rule naming blocks asks.</summary>
    public ulong AddressWord;
    public bool AddressLoaded;

    /// <summary>What rules naming IPv4 blocks see of the remote end's address: an outside address first, else the endpoint's.</summary>
    public static EndpointAddress.AddressKind AddressOf(ref RemoteView remote)
    {
        if (!remote.AddressLoaded)
        {
            remote.AddressWord = remote.Address is { } a ? EndpointAddress.Word(a) : 0;
            remote.AddressLoaded = true;
        }

        return (EndpointAddress.AddressKind)(remote.AddressWord >> 32);
    }

    /// <summary>Whether the remote end lies in one of a simple rule's IPv4 blocks (its address is not of kind Other).</summary>
    public static bool InNets(int[] code, int p, ref RemoteView remote)
    {
        var kind = AddressOf(ref remote);
        var address = (uint)remote.AddressWord;
        var count = code[p++];
        for (var n = 0; n < count; n++)
        {
            var (network, mask, exceptions) = ((uint)code[p], (uint)code[p + 1], code[p + 2]);
            p += 3;
            var inside = kind switch
            {
                EndpointAddress.AddressKind.V4 => (address & mask) == network,
                EndpointAddress.AddressKind.Unknown => mask == 0 && exceptions == 0,
                _ => false,
            };
            for (var e = 0; inside && e < exceptions; e++)
            {
                inside = (address & (uint)code[p + (2 * e) + 1]) != (uint)code[p + (2 * e)];
            }

            if (inside)
            {
                return true;
            }

            p += 2 * exceptions;
        }

        return false;
    }
}
