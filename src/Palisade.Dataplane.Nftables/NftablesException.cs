namespace Palisade.Dataplane.Nftables;

/// <summary>nftables refused a transaction; nothing of it was applied.</summary>
public sealed class NftablesException(string message, string commands) : Exception($"nftables refused the transaction: {message}")
{
    /// <summary>The commands that were refused, for diagnosis.</summary>
    public string Commands { get; } = commands;
}
