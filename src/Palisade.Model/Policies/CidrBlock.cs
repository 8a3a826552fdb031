using System.Net;

namespace Palisade.Model.Policies;

/// <summary>An address range with exceptions: <c>10.0.0.0/8 except 10.1.0.0/16</c>.</summary>
public sealed record CidrBlock(IPNetwork Network, EquatableArray<IPNetwork> Except)
{
    public CidrBlock(IPNetwork network)
        : this(network, EquatableArray<IPNetwork>.Empty)
    {
    }

    /// <summary>
    /// Whether the block holds every address of its family (<c>0.0.0.0/0</c> or <c>::/0</c>, no exceptions): then it
    /// holds a workload's address even when the manifests do not say it (Deployments have no pod IPs).
    /// </summary>
    public bool CoversEverything => Network.PrefixLength == 0 && Except.IsEmpty;

    public bool Contains(IPAddress address)
    {
        if (!Network.Contains(address))
        {
            return false;
        }

        foreach (var e in Except)
        {
            if (e.Contains(address))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Parses a CIDR; a bare address is a host route (/32 or /128). Host bits past the prefix are cleared, as
    /// Kubernetes does when it reads <c>10.0.0.1/24</c>, and reported through <paramref name="normalized"/>.
    /// </summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network, out bool normalized)
    {
        network = default;
        normalized = false;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        var max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            if ((bytes[bit / 8] & mask) != 0)
            {
                normalized = true;
                bytes[bit / 8] &= (byte)~mask;
            }
        }

        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    public override string ToString() =>
        Except.IsEmpty ? Network.ToString() : $"{Network} except {string.Join(", ", Except)}";
}
