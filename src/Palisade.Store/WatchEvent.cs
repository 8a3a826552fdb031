namespace Palisade.Store;

/// <summary>One change seen by a watch.</summary>
/// <param name="Object">The object after the change; for <see cref="WatchEventType.Deleted"/>, the object as it was
/// before the deletion (its <see cref="StoredObject.ModRevision"/> is its last write).</param>
/// <param name="Revision">The change's revision: the object's ModRevision, or the deletion's revision.</param>
public sealed record WatchEvent(WatchEventType Type, StoredObject Object, long Revision);
