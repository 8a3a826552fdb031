namespace Palisade.Store;

/// <summary>What a backup holds: the store revision it was read at and how many objects it has.</summary>
public readonly record struct BackupSummary(long Revision, int Objects);
