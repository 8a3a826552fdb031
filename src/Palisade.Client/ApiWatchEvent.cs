namespace Palisade.Client;

/// <summary>One event of a watch: ADDED, MODIFIED, DELETED or BOOKMARK, and the object as JSON text.</summary>
public sealed record ApiWatchEvent(string Type, string ObjectJson);
