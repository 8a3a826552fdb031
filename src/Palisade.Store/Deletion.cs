namespace Palisade.Store;

/// <summary>What a delete removed: the object as it was, and the revision the deletion took.</summary>
public sealed record Deletion(StoredObject Object, long Revision);
