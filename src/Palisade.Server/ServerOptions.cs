using System.Net;
using Palisade.Manifests;

namespace Palisade.Server;

/// <summary>How a server runs: where its data lives, where it listens, which store it uses, and its bounds.</summary>
public sealed record ServerOptions(string DataDirectory)
{
    /// <summary>Where <c>palisade server</c> listens unless told otherwise (kube-apiserver's secure port, on loopback).</summary>
    public static IPEndPoint DefaultListen { get; } = new(IPAddress.Loopback, 6443);

    /// <summary>The address to listen on (HTTPS only); port 0 takes a free port.</summary>
    public IPEndPoint Listen { get; init; } = DefaultListen;

    /// <summary><c>sqlite</c> (null: the default, under <see cref="DataDirectory"/>) or <c>etcd://HOST:PORT</c>.</summary>
    public string? Store { get; init; }

    /// <summary>Request bodies beyond this are refused with 413 (kube-apiserver's limit is 3 MiB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>The loader's bounds, applied to request bodies and to validation.</summary>
    public ManifestLimits Limits { get; init; } = ManifestLimits.Default;

    /// <summary>How often a quiet watch that asked for bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a watch stream stays open; the client then watches again from its last revision.</summary>
    public TimeSpan MaxWatchDuration { get; init; } = TimeSpan.FromMinutes(30);
}
