namespace Palisade.Dataplane.Nftables.Tracing;

/// <summary>A log statement a traced packet reached, with the packet mark it would carry to the NFLOG reader.</summary>
public sealed record TracedLog(int Group, string Prefix, uint Mark);
