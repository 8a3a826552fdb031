namespace Palisade.Linux.Lab;

/// <summary>Something the lab left out, and why: a workload without an address, a port of a protocol the kernel lacks.</summary>
/// <param name="Subject">What was left out: a workload id, or a workload id and port (<c>x/a 80/SCTP</c>).</param>
/// <param name="Reason">Why, in words a user can act on.</param>
public sealed record LabSkip(string Subject, string Reason)
{
    public override string ToString() => $"{Subject}: {Reason}";
}
