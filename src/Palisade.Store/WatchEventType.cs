namespace Palisade.Store;

/// <summary>What a change did to a key, as Kubernetes' watch events name it.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
}
