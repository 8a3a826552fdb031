using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Palisade.Lab;

/// <summary>
/// The lab's names for things, derived from stable hashes so that they are the same on every run and fit the kernel's
/// 15-character interface names. Everything the lab makes carries a <c>pal-</c> or <c>pal</c> prefix.
/// </summary>
internal static class LabNames
{
    public const string Fabric = "pal-fabric";
    public const string NodeNetnsPrefix = "pal-node-";
    public const string PodNetnsPrefix = "pal-p-";
    public const string Bridge = "br0";
    public const string NodeFabricInterface = "fab0";
    public const string PodInterface = "eth0";

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static string NodeName(int index) => string.Create(CultureInfo.InvariantCulture, $"node-{index}");

    public static string NodeNetns(int index) => string.Create(CultureInfo.InvariantCulture, $"{NodeNetnsPrefix}{index}");

    /// <summary>The fabric-side end of node <paramref name="index"/>'s link to the bridge.</summary>
    public static string FabricPort(int index) => string.Create(CultureInfo.InvariantCulture, $"n{index}");

    public static string NodeAddress(int index) => string.Create(CultureInfo.InvariantCulture, $"172.31.255.{index}");

    public static string NodeAddress6(int index) => string.Create(CultureInfo.InvariantCulture, $"fd00:ffff::{index:x}");

    public static string PodNetns(string workloadId) => PodNetnsPrefix + Hash(workloadId)[..12];

    public static string HostInterface(string workloadId) => "pal" + Hash(workloadId)[..11];

    /// <summary>Whether a namespace name is one the lab makes (and so one <c>lab down</c> removes).</summary>
    public static bool IsLabNetns(string name)
    {
        if (name == Fabric)
        {
            return true;
        }

        if (name.StartsWith(NodeNetnsPrefix, StringComparison.Ordinal))
        {
            var rest = name.AsSpan(NodeNetnsPrefix.Length);
            return rest.Length > 0 && rest.IndexOfAnyExceptInRange('0', '9') < 0;
        }

        if (name.StartsWith(PodNetnsPrefix, StringComparison.Ordinal))
        {
            var rest = name.AsSpan(PodNetnsPrefix.Length);
            return rest.Length == 12 && rest.IndexOfAnyExcept(LowerHex) < 0;
        }

        return false;
    }

    private static string Hash(string workloadId) =>
#pragma warning disable CA5350 // SHA-1 names things here; it protects nothing.
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(workloadId)));
#pragma warning restore CA5350
}
