using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;

namespace Palisade.Bench;

/// <summary>
/// Three network namespaces for data-plane measurements: a client and a server, each a /32 behind a router namespace
/// that forwards between them and holds the ruleset under test (where a node would); and a twin of the three, with the
/// same names suffixed "2", the same addresses and interface names, whose router holds a baseline while connects
/// alternate between the two chains (see <c>DataplaneBench</c>'s paired first-packet latency). Nothing touches the root
/// namespace.
/// </summary>
public sealed class BenchTopology : IDisposable
{
    public const string Client = "pal-bench-c";
    public const string Router = "pal-bench-r";
    public const string Server = "pal-bench-s";
    public const string ClientInterface = "palbc";
    public const string ServerInterface = "palbs";
    public const string ClientTwin = Client + "2";
    public const string RouterTwin = Router + "2";
    public const string ServerTwin = Server + "2";

    private static readonly string[] Namespaces = [Client, Router, Server, ClientTwin, RouterTwin, ServerTwin];

    public static readonly IPAddress ClientAddress = IPAddress.Parse("10.99.0.1");
    public static readonly IPAddress ServerAddress = IPAddress.Parse("10.99.1.1");

    private BenchTopology()
    {
    }

    /// <summary>Creates the namespaces, both chains (removing leftovers of an earlier run first).</summary>
    public static BenchTopology Create()
    {
        Destroy();
        CreateChain(Client, Router, Server);
        CreateChain(ClientTwin, RouterTwin, ServerTwin);
        return new BenchTopology();
    }

    private static void CreateChain(string client, string router, string server)
    {
        Run("ip", ["-batch", "-"], $"""
            netns add {client}
            netns add {router}
            netns add {server}
            link add {ClientInterface} netns {router} type veth peer name eth0 netns {client}
            link add {ServerInterface} netns {router} type veth peer name eth0 netns {server}
            """);
        foreach (var (ns, address) in new[] { (client, ClientAddress), (server, ServerAddress) })
        {
            Run("ip", ["-n", ns, "-batch", "-"], $"""
                link set lo up
                addr add {address}/32 dev eth0
                link set eth0 up
                route add 169.254.1.1 dev eth0
                route add default via 169.254.1.1 dev eth0
                """);
        }

        Run("ip", ["-n", router, "-batch", "-"], $"""
            link set lo up
            link set {ClientInterface} up
            link set {ServerInterface} up
            route add 169.254.1.1/32 dev lo
            route add {ClientAddress}/32 dev {ClientInterface}
            route add {ServerAddress}/32 dev {ServerInterface}
            """);
        Run("ip", ["netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1", $"net.ipv4.conf.{ClientInterface}.proxy_arp=1", $"net.ipv4.conf.{ServerInterface}.proxy_arp=1",
            // Proxy ARP answers after a random delay of up to 0.8 s by default: the first packet of every pod would wait.
            $"net.ipv4.neigh.{ClientInterface}.proxy_delay=0", $"net.ipv4.neigh.{ServerInterface}.proxy_delay=0"], null);
    }

    /// <summary>Removes the bench namespaces, also after a crash.</summary>
    public static void Destroy()
    {
        foreach (var ns in Namespaces)
        {
            if (File.Exists(Path.Combine("/var/run/netns", ns)))
            {
                Run("ip", ["netns", "del", ns], null, check: false);
            }
        }
    }

    public void Dispose() => Destroy();

    /// <summary>Opens a TCP listener on the server (or <paramref name="server"/>, the twin) that holds each connection until the client closes it (and echoes, when <paramref name="echo"/>).</summary>
    public static Socket Listen(int port, bool echo, CancellationToken cancellationToken, string server = Server)
    {
        var listener = NetworkNamespace.Run(server, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(IPAddress.Any, port));
            s.Listen(4096);
            return s;
        });
        _ = Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Socket connection;
                try
                {
                    connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    var buffer = new byte[256];
                    try
                    {
                        while (true)
                        {
                            // Without echo the server waits for the client to close first (it resets): closing first would
                            // race the client's connect completion.
                            var n = await connection.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                            if (n == 0)
                            {
                                break;
                            }

                            if (echo)
                            {
                                await connection.SendAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                    }
                    finally
                    {
                        connection.Dispose();
                    }
                }, CancellationToken.None);
            }
        }, CancellationToken.None);
        return listener;
    }

    /// <summary>
    /// Connects from the client to the server's port within a bound: a poll on a non-blocking socket, so no task
    /// continuation waits for a busy thread pool. The outcome is "connected", "timed out" or the socket error.
    /// </summary>
    public static bool TryConnect(int port, int timeoutMs, out string outcome, string client = Client)
    {
        using var s = ClientSocket(client);
        return TryConnect(s, port, timeoutMs, out outcome);
    }

    /// <summary>The same with a socket made in the client's namespace beforehand (see <see cref="SocketFactory"/>), so that a probe loop makes no thread per probe.</summary>
    public static bool TryConnect(Socket s, int port, int timeoutMs, out string outcome)
    {
        ArgumentNullException.ThrowIfNull(s);
        s.Blocking = false;
        try
        {
            s.Connect(new IPEndPoint(ServerAddress, port));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
        }
        catch (SocketException e)
        {
            outcome = e.SocketErrorCode.ToString();
            return false;
        }

        if (!s.Poll(timeoutMs * 1000, SelectMode.SelectWrite))
        {
            outcome = "timed out";
            return false;
        }

        var error = (SocketError)(int)s.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        outcome = error == SocketError.Success ? "connected" : error.ToString();
        return error == SocketError.Success;
    }

    /// <summary>A socket created in the client's namespace, or <paramref name="client"/> (sockets keep their namespace whatever thread uses them).</summary>
    public static Socket ClientSocket(string client = Client) =>
        NetworkNamespace.Run(client, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });

    internal static string Run(string file, string[] args, string? input, bool check = true)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardInput = input is not null, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        if (input is not null)
        {
            p.StandardInput.Write(input);
            p.StandardInput.Close();
        }

        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error.Trim()}");
        }

        return output;
    }
}
