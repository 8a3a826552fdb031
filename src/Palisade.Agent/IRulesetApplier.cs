namespace Palisade.Agent;

/// <summary>Hands nftables transactions to the kernel, one at a time, each applied whole or not at all.</summary>
public interface IRulesetApplier : IDisposable
{
    /// <summary>
    /// Applies the commands as one transaction and returns how long the kernel took. A transaction the kernel refuses
    /// throws <see cref="Palisade.Dataplane.Nftables.NftablesException"/> and changes nothing.
    /// </summary>
    Task<TimeSpan> ApplyAsync(string commands, CancellationToken cancellationToken);
}
