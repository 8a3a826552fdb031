namespace Palisade.Store;

/// <summary>
/// A watch ended because its reader fell further behind than its buffer holds (410 Expired, as Kubernetes' watch
/// cache closes a watcher that does not keep up): the client watches again from the last revision it saw.
/// </summary>
public sealed class WatcherTooSlowException(string prefix, int capacity)
    : StoreException($"the watch of {prefix} fell more than {capacity} events behind and was ended; watch again from the last revision read", 410, "Expired");
