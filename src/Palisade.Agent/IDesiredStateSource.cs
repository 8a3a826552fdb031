namespace Palisade.Agent;

/// <summary>
/// Where an agent's desired state comes from, as a watch: the current state first, then one whole state per change,
/// each with a higher revision, until cancelled. Files today; the control plane's watch next (a compacted revision
/// there means relisting, which is again a whole state). Input a source cannot read yields no state: the rules in
/// force stay, and the source says why in its log.
/// </summary>
public interface IDesiredStateSource
{
    /// <summary>The states, oldest first; a consumer that falls behind may see only the latest of several changes.</summary>
    IAsyncEnumerable<DesiredState> WatchAsync(CancellationToken cancellationToken);
}
