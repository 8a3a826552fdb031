using System.Text;

namespace Palisade.Store;

/// <summary>
/// The key layout of API objects: <c>/registry/RESOURCE/NAMESPACE/NAME</c> for namespaced objects and
/// <c>/registry/RESOURCE/NAME</c> for cluster-scoped ones (kube-apiserver's layout), so a resource, and a resource in
/// one namespace, are each a key prefix.
/// </summary>
public static class StoreKeys
{
    private const string Root = "/registry/";

    /// <summary>The key of an object; <paramref name="namespace"/> is null or empty for cluster-scoped objects.</summary>
    public static string For(string resource, string? @namespace, string name)
    {
        Check(resource, nameof(resource));
        Check(name, nameof(name));
        if (string.IsNullOrEmpty(@namespace))
        {
            return Root + resource + "/" + name;
        }

        Check(@namespace, nameof(@namespace));
        return Root + resource + "/" + @namespace + "/" + name;
    }

    /// <summary>The prefix of every object of a resource (in every namespace).</summary>
    public static string Prefix(string resource)
    {
        Check(resource, nameof(resource));
        return Root + resource + "/";
    }

    /// <summary>The prefix of a namespaced resource's objects in one namespace.</summary>
    public static string Prefix(string resource, string @namespace)
    {
        Check(resource, nameof(resource));
        Check(@namespace, nameof(@namespace));
        return Root + resource + "/" + @namespace + "/";
    }

    /// <summary>
    /// The first key after every key starting with <paramref name="prefix"/>, as UTF-8 bytes (etcd's range end):
    /// the prefix with its last byte below 0xff incremented; empty (no end) when every byte is 0xff or it is empty.
    /// </summary>
    public static byte[] PrefixEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return bytes[..(i + 1)];
            }
        }

        return [];
    }

    private static void Check(string segment, string what)
    {
        // A slash in a segment would let one namespace's prefix select another's objects.
        if (string.IsNullOrEmpty(segment) || segment.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"a key's {what} must be non-empty and hold no '/': '{segment}'", what);
        }
    }
}
