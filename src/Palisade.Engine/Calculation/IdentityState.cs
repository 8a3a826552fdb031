using Palisade.Engine.Evaluation;
using Palisade.Model;

namespace Palisade.Engine.Calculation;

/// <summary>What makes endpoints one identity: namespace, labels and service account (distinct metadata).</summary>
internal readonly record struct IdentityKey(string Namespace, LabelSet Labels, string ServiceAccount);

/// <summary>
/// An identity: endpoints of the same metadata, judged once for all of them. Its selectors (the selector index's), its
/// policy list (the policy resolver's) and its peer block (what the fast path searches for a remote end).
/// </summary>
internal sealed class IdentityState(IdentityIndex index) : ICalicoView
{
    public required int Id;
    public required IdentityKey Key;
    public readonly IntSet Endpoints = new();
    public readonly IntSet Matchers = new();
    public int List = -1;
    public LabelSet? CachedCalicoLabels;

    /// <summary>
    /// The shared block of those of <see cref="Matchers"/> that rules name as peers (see
    /// <see cref="TierProgram.PeerBlockHeader"/>), null when none is: what the fast path searches for a remote end
    /// (small, contiguous, hot). At (100k, 10k) an endpoint is in 6.3 selectors, 3.4 of them peers.
    /// </summary>
    public PeerBlock? Peers;

    /// <summary>The words of <see cref="Peers"/>, as endpoints hold them.</summary>
    public int[] PeerArray => Peers?.Words ?? TierProgram.NoPeers;
    public bool PeerArrayDirty;

    public LabelSet CalicoLabels() => index.CalicoLabelsOf(this);

    public LabelSet CalicoNamespaceLabels() => index.CalicoNamespaceLabelsOf(Key.Namespace);
}
