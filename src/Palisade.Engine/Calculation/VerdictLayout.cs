namespace Palisade.Engine.Calculation;

/// <summary>The layout stage: where in memory the data verdicts read lies.</summary>
/// <remarks>
/// Contract: changes no value anyone reads, only where it lies: it copies program codes, the lists' program arrays and
/// the peer blocks into dense runs and points the endpoints and their hot entries at the copies (once, the first time
/// a flush leaves the engine large enough). Codes and blocks never change once made, so a copy is the same data
/// (PackingTests: a packed engine judges as an unpacked one, and every reference endpoints hold is to a copy).
/// </remarks>
internal sealed class VerdictLayout(CalculationOptions options, IdentityIndex identityIndex, PolicyResolver resolver, PeerBlocks peerBlocks, VerdictWalker walker)
{
    /// <summary>Whether the engine has been packed (once, the first time a flush leaves it large enough).</summary>
    private bool packed;

    /// <summary>
    /// The end of every flush: packs an engine the first time it holds <see cref="CalculationOptions.PackFromEndpoints"/>
    /// endpoints, after a full load or as a stream of updates fills it.
    /// </summary>
    public void KeepPacked()
    {
        if (!packed && identityIndex.Endpoints.Count >= options.PackFromEndpoints)
        {
            Pack();
        }
    }

    /// <summary>
    /// Copies what verdicts read into fresh, dense runs by kind: every list's program codes, then the lists' program
    /// arrays, then the identities' peer blocks, and points endpoints at the copies. A build allocates these among
    /// far more objects verdicts never read, so at 100k endpoints nearly every line a flow reads lies on a page of its
    /// own; on a virtual machine a missed address translation walks two page tables and costs as much as the miss.
    /// Packed by kind, the ten or so megabytes verdicts read lie on few pages. Measured in one process, two engines
    /// judging the same flows by turns: the antrea shape judges 1.6-2.2x as many flows per second packed (each kind
    /// packed alone: 4-9%, so the pages of all three must be few at once), (100k, 10k) mixed 17-22% more; packed per
    /// endpoint instead (codes spread among the rest) 18% fewer. It costs 90-170 ms of the antrea load; (10k, 1k)
    /// judges 7.5% more for 2-12 ms.
    /// Codes never change once compiled, so a copy is the same program; the old arrays become garbage.
    /// </summary>
    private void Pack()
    {
        var (lists, endpoints, identities) = (resolver.Lists, identityIndex.Endpoints, identityIndex.Identities);
        foreach (var list in lists)
        {
            if (list is null)
            {
                continue;
            }

            PackCodes(list.IngressProgram);
            PackCodes(list.EgressProgram);
        }

        foreach (var list in lists)
        {
            if (list is not null)
            {
                list.IngressProgram = Renewed(list.IngressProgram);
                list.EgressProgram = Renewed(list.EgressProgram);
            }
        }

        // Peer blocks, which identities share, one copy each (the set finds blocks by content, which a copy keeps).
        foreach (var block in peerBlocks.All)
        {
            block.Words = [.. block.Words];
            block.Packed = true;
        }

        foreach (var endpoint in endpoints)
        {
            if (endpoint is null)
            {
                continue;
            }

            var list = endpoint.List >= 0 ? lists[endpoint.List] : null;
            endpoint.Ingress = list?.IngressProgram ?? [];
            endpoint.Egress = list?.EgressProgram ?? [];
            if (endpoint.Identity >= 0)
            {
                endpoint.Matchers = identities[endpoint.Identity]!.PeerArray;
            }

            // The same references as Sync would write; the rest of the entry is unchanged.
            ref var entry = ref walker.Hot[endpoint.Id];
            entry.IngressProgram = endpoint.Ingress;
            entry.EgressProgram = endpoint.Egress;
            entry.Matchers = endpoint.Matchers;
        }

        packed = true;
    }

    /// <summary>
    /// Copies the codes of a list's programs not yet copied (a program is shared by many lists; one copied by an
    /// earlier load stays where it is). A program in chunks is left alone: its parts' codes are also held by the
    /// programs it was edited from.
    /// </summary>
    private static void PackCodes(ProgramRef[] programs)
    {
        foreach (var p in programs)
        {
            if (p.Program.Chunks is null && !p.Program.Packed)
            {
                p.Program.Code = [.. p.Program.Code];
                p.Program.Packed = true;
            }
        }
    }

    /// <summary>A list's program array anew, its references to plain codes renewed with the codes.</summary>
    private static ProgramRef[] Renewed(ProgramRef[] programs)
    {
        if (programs.Length == 0)
        {
            return programs;
        }

        var renewed = new ProgramRef[programs.Length];
        for (var i = 0; i < programs.Length; i++)
        {
            renewed[i] = new ProgramRef(programs[i].Program);
        }

        return renewed;
    }

    /// <summary>
    /// For tests: how many of the program references endpoints hold (in their hot entries) and of the peer blocks
    /// they point at are not what packing left: a reference to a program not packed, a plain code that is not its
    /// program's code, an endpoint's selectors that are not its identity's block, or a block not packed.
    /// </summary>
    public int UnpackedReferences()
    {
        var (endpoints, identities) = (identityIndex.Endpoints, identityIndex.Identities);
        var stale = 0;
        foreach (var endpoint in endpoints)
        {
            if (endpoint is null)
            {
                continue;
            }

            ref readonly var entry = ref walker.Hot[endpoint.Id];
            foreach (var programs in (ReadOnlySpan<ProgramRef[]>)[entry.IngressProgram, entry.EgressProgram])
            {
                foreach (var p in programs)
                {
                    stale += (p.Program.Chunks is null && !p.Program.Packed) || (p.Plain is not null && !ReferenceEquals(p.Plain, p.Program.Code)) ? 1 : 0;
                }
            }

            var peers = endpoint.Identity >= 0 ? identities[endpoint.Identity]!.Peers : null;
            stale += endpoint.Identity >= 0 && (!ReferenceEquals(entry.Matchers, identities[endpoint.Identity]!.PeerArray) || peers is { Packed: false }) ? 1 : 0;
        }

        return stale;
    }
}
