namespace Palisade.Store;

/// <summary>One page of a list: objects in key order read at <see cref="Revision"/>, and the token of the next page.</summary>
/// <param name="Revision">The revision the whole list is read at: a watch from it continues the list without a gap.</param>
/// <param name="Continue">Reads the next page at the same revision; null on the last page.</param>
public sealed record ListPage(IReadOnlyList<StoredObject> Items, long Revision, string? Continue);
