using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// A selector index entry: one distinct set of identity conditions (a peer without its addresses), the identities it
/// matches, and how it is filed so that a change is checked only against entries it can affect.
/// </summary>
internal sealed class MatcherState
{
    public required int Id;
    public required Peer Peer;
    public readonly IntSet Members = new();
    public int RefCount;
    public readonly List<PolicyState> SubjectOf = [];

    /// <summary>Whether its members' peer blocks hold it (it was named as a peer by some rule at the last flush).</summary>
    public bool PublishedPeer;

    /// <summary>The policies this selector is the subject of, per tier, in precedence order (kept up to date by edits).</summary>
    public TierPolicies[]? ByTier;
    public IndexKind Kind;
    public (string Key, string[] Values)? Required;

    /// <summary>The blocks of the network sets a Calico selector selects, computed when first asked (null: not yet, or stale).</summary>
    public CidrBlock[]? SelectedNets;

    /// <summary>How an entry is filed in the selector index.</summary>
    internal enum IndexKind
    {
        Namespace,
        Label,
        NamespaceLabel,
        Unindexed,
    }
}
