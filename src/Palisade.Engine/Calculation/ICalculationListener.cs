using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// What renderers receive from the engine, as deltas: selector memberships per endpoint, which shared policy list each
/// endpoint uses, and the content of each policy list. Every add is balanced by a remove.
/// </summary>
public interface ICalculationListener
{
    /// <summary>Selector <paramref name="selector"/> (a peer's identity conditions) now exists (or no longer).</summary>
    void OnSelector(int selector, Peer peer, bool active);

    /// <summary>The endpoint joined (or left) the selector's members.</summary>
    void OnSelectorMember(int selector, string endpoint, bool added);

    /// <summary>The ordered policies of a shared policy list (empty: the list is gone).</summary>
    void OnPolicyList(int list, IReadOnlyList<Policy> policies);

    /// <summary>
    /// The endpoint now uses this policy list; -1: no policy applies to it. Every endpoint is given one or the other
    /// when it appears (after its selector memberships) and whenever it changes.
    /// </summary>
    void OnEndpointPolicyList(string endpoint, int list);

    /// <summary>The endpoint is gone (its selector memberships were withdrawn first).</summary>
    void OnEndpointRemoved(string endpoint);
}
