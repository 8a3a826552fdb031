using System.Globalization;

namespace Palisade.Model.Policies;

/// <summary>
/// One entry of a rule's port list: a port, a range, or a named port (resolved against the workload at that end of
/// the flow), optionally restricted to one protocol.
/// </summary>
public sealed record PortMatch
{
    private PortMatch(Protocol? protocol, int first, int last, string? name)
    {
        Protocol = protocol;
        First = first;
        Last = last;
        Name = name;
    }

    /// <summary>Null: any protocol the rule allows.</summary>
    public Protocol? Protocol { get; }

    public int First { get; }

    public int Last { get; }

    /// <summary>Set for a named port; then <see cref="First"/> and <see cref="Last"/> are unused.</summary>
    public string? Name { get; }

    public bool IsNamed => Name is not null;

    public bool IsAnyPort => Name is null && First == 0 && Last == 65535;

    public static PortMatch Single(int port, Protocol? protocol = null) => new(protocol, port, port, null);

    public static PortMatch Range(int first, int last, Protocol? protocol = null) => new(protocol, first, last, null);

    public static PortMatch Named(string name, Protocol? protocol = null) => new(protocol, 0, 0, name);

    /// <summary>Every port of one protocol (a Kubernetes port entry with a protocol and no port).</summary>
    public static PortMatch AnyPort(Protocol protocol) => new(protocol, 0, 65535, null);

    public override string ToString()
    {
        var port = Name ?? (IsAnyPort ? "*" : First == Last ? First.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}"));
        return Protocol is { } p ? $"{port}/{p}" : port;
    }
}
