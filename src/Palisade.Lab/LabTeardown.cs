using System.Collections.Immutable;

namespace Palisade.Lab;

/// <summary>What <c>lab down</c> removed: namespaces, server processes, the state file.</summary>
/// <param name="Namespaces">The network namespaces deleted.</param>
/// <param name="KilledServers">The pids of lab servers ended.</param>
/// <param name="StateRemoved">Whether a state file was removed.</param>
public sealed record LabTeardown(ImmutableArray<string> Namespaces, ImmutableArray<int> KilledServers, bool StateRemoved)
{
    /// <summary>Whether there was nothing to remove.</summary>
    public bool NothingToDo => Namespaces.IsEmpty && KilledServers.IsEmpty && !StateRemoved;
}
