using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The deltas the engine's stages hand on at the end of the graph: selector memberships per endpoint, which shared
/// policy list each endpoint uses, and the content of each policy list. Every add is balanced by a remove.
/// </summary>
/// <remarks>
/// Internal, not a subscriber API: the path from change to kernel is render-plus-diff (the data plane renders the
/// desired table from the engine's read-only view and diffs it against what it last wrote), so no renderer consumes
/// these. They are kept, and checked by ListenerDeltaTests (a mirror rebuilt from the deltas alone equals the engine's
/// description at every flush), as the invariant that the stages' bookkeeping balances.
/// </remarks>
internal interface ICalculationListener
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
