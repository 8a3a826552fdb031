using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The tier-run cache: one shared <see cref="TierRun"/> (a tier's policies for some lists, with its compiled programs)
/// per distinct set of policies of a tier, interned by content, with the edits of one flush remembered so that every
/// list sharing a run shares its edit.
/// </summary>
/// <remarks>
/// Contract: a run is in the cache while some list holds it (lists count their holds, <see cref="Release"/> lets go),
/// and until the end of the flush it was made in; an edited run's programs are derived from the run it was edited
/// from (a direction the policy does not govern keeps its program, a chunked one is spliced), and judge as programs
/// built afresh would. After <see cref="EndFlush"/> the cache holds exactly the runs lists hold (ChurnLeavesNothingTests).
/// </remarks>
internal sealed class TierRunCache(TierProgramCompiler compiler)
{
    private readonly Dictionary<TierRunKey, TierRun> runs = [];
    private readonly List<TierRun> createdRuns = [];
    private readonly Dictionary<(TierRun Run, PolicyState Policy, bool Added), TierRun?> runEdits = [];
    private readonly Dictionary<ArrayEdit, PolicyState[]> arrayEdits = [];

    /// <summary>Number of distinct tier runs (shared by lists with the same policies in a tier).</summary>
    public int Count => runs.Count;

    /// <summary>
    /// <see cref="PolicyPrecedence.WithPolicy"/>, made once per flush for each array and edit: a tier's run whose policies are a
    /// subject's sorted array (a tier one subject contributes alone) takes the edit the subject's array took, sharing
    /// the result rather than copying it again (for a tier every pod's policies are in, two copies of ten thousand
    /// references per change before). The arrays kept for the flush are bounded (<see cref="ArrayEditsBound"/>
    /// references): a batch of many edits to long arrays goes on without sharing rather than holding every
    /// intermediate array.
    /// </summary>
    public PolicyState[] EditedOnce(PolicyState[] sorted, PolicyState policy, bool added)
    {
        var key = new ArrayEdit(sorted, policy, added);
        if (arrayEdits.TryGetValue(key, out var next))
        {
            return next;
        }

        next = PolicyPrecedence.WithPolicy(sorted, policy, added);
        if (arrayEditsHeld + next.Length <= ArrayEditsBound)
        {
            arrayEdits[key] = next;
            arrayEditsHeld += next.Length;
        }

        return next;
    }

    /// <summary>At most this many policy references are held in <see cref="arrayEdits"/> until the flush ends.</summary>
    private const int ArrayEditsBound = 1 << 20;
    private long arrayEditsHeld;

    private void ForgetArrayEdits()
    {
        arrayEdits.Clear();
        arrayEditsHeld = 0;
    }

    /// <summary>An edit of a sorted policy array, compared by the array's and the policy's identity.</summary>
    private readonly record struct ArrayEdit(PolicyState[] From, PolicyState Policy, bool Added) : IEquatable<ArrayEdit>
    {
        public bool Equals(ArrayEdit other) => ReferenceEquals(From, other.From) && ReferenceEquals(Policy, other.Policy) && Added == other.Added;

        public override int GetHashCode() => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(From), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Policy), Added);
    }

    /// <summary>A run with one policy more or less (null when none is left), computed once per flush for all lists sharing it.</summary>
    public TierRun? Edit(TierRun run, PolicyState policy, bool added)
    {
        if (runEdits.TryGetValue((run, policy, added), out var cached))
        {
            return cached;
        }

        var next = EditedOnce(run.Policies, policy, added);
        var result = next.Length == 0 ? null : ReferenceEquals(next, run.Policies) ? run : Intern(run.Tier, next, (run, policy, added));
        runEdits[(run, policy, added)] = result;
        return result;
    }

    /// <summary>
    /// The shared run for these policies of a tier (built once, with its programs). When it is <paramref name="edit"/>'s
    /// run with one policy more or less, its programs are derived from that run's: a direction the policy does not
    /// govern keeps its program, a chunked program has one chunk rebuilt.
    /// </summary>
    public TierRun Intern(TierState tier, PolicyState[] policies, (TierRun Run, PolicyState Policy, bool Added)? edit = null)
    {
        var key = edit is var (from, policy, added) ? from.Key.With(policies, policy, added) : new TierRunKey(tier.Id, policies);
        if (runs.TryGetValue(key, out var run))
        {
            return run;
        }

        run = new TierRun
        {
            Tier = tier,
            Policies = policies,
            Key = key,
            Ingress = Derive(edit, Direction.Ingress, out var ingress) ? ingress : compiler.Build(policies, tier, Direction.Ingress),
            Egress = Derive(edit, Direction.Egress, out var egress) ? egress : compiler.Build(policies, tier, Direction.Egress),
        };
        runs[key] = run;
        createdRuns.Add(run);
        return run;
    }

    /// <summary>
    /// The program of an edited run for one direction, from the run it was edited from (<paramref name="program"/>,
    /// null when no policy of the run governs the direction); false when it must be built afresh.
    /// </summary>
    private bool Derive((TierRun Run, PolicyState Policy, bool Added)? edit, Direction direction, out TierProgram? program)
    {
        program = null;
        if (edit is not var (run, policy, added))
        {
            return false;
        }

        var before = direction == Direction.Ingress ? run.Ingress : run.Egress;
        if (!policy.Policy.Governs(direction))
        {
            // The policies governing this direction are the same: so is the program, or its absence.
            program = before;
            return true;
        }

        program = before is { Chunks: not null } ? compiler.Splice(before, policy, added, direction) : null;
        return program is not null;
    }

    public void Release(TierRun[] old)
    {
        foreach (var r in old)
        {
            if (--r.RefCount == 0)
            {
                Forget(r);
            }
        }
    }

    private void Forget(TierRun run)
    {
        if (runs.TryGetValue(run.Key, out var current) && ReferenceEquals(current, run))
        {
            runs.Remove(run.Key);
        }
    }

    /// <summary>
    /// A tier's order or end action changed: its runs' programs are stale. They leave the cache (lists holding them are
    /// rebuilt by the resolver, and let go of them), and so do the edits remembered in this flush.
    /// </summary>
    public void ForgetTier(int tier)
    {
        foreach (var run in runs.Values.Where(r => r.Key.Tier == tier).ToList())
        {
            Forget(run);
        }

        runEdits.Clear();
        ForgetArrayEdits();
    }

    /// <summary>The end of a flush: the edits remembered for it go, and so do runs interned during it that no list took (intermediate edits).</summary>
    public void EndFlush()
    {
        runEdits.Clear();
        ForgetArrayEdits();
        foreach (var run in createdRuns)
        {
            if (run.RefCount == 0)
            {
                Forget(run);
            }
        }

        createdRuns.Clear();
    }

    /// <summary>The size of each table, for the engine's census.</summary>
    public IEnumerable<(string Table, int Count)> Census() =>
    [
        ("tier runs", runs.Count),
        ("created runs", createdRuns.Count),
        ("run edits", runEdits.Count),
        ("array edits", arrayEdits.Count),
    ];
}
