using System.Globalization;

namespace Palisade.Model;

/// <summary>A destination port with its protocol, as written on the command line: <c>80/TCP</c>.</summary>
public readonly record struct PortSpec(int Port, Protocol Protocol)
{
    /// <summary>Parses <c>80</c> (TCP), <c>80/TCP</c>, <c>53/udp</c>, <c>9000/SCTP</c>.</summary>
    public static bool TryParse(string? text, out PortSpec spec, out string? error)
    {
        spec = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "expected PORT or PORT/PROTOCOL, e.g. 80/TCP";
            return false;
        }

        var parts = text.Trim().Split('/');
        if (parts.Length > 2)
        {
            error = $"'{text}': expected PORT or PORT/PROTOCOL, e.g. 80/TCP";
            return false;
        }

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"'{text}': the port must be a number from 1 to 65535";
            return false;
        }

        var protocol = Protocol.Tcp;
        if (parts.Length == 2 && (!Protocol.TryParse(parts[1], out protocol) || !protocol.HasPorts))
        {
            error = $"'{text}': the protocol must be TCP, UDP, SCTP or UDPLite";
            return false;
        }

        spec = new(port, protocol);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Port}/{Protocol}");
}
