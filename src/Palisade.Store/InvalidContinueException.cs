namespace Palisade.Store;

/// <summary>A continue token that no list of this prefix made (400 BadRequest).</summary>
public sealed class InvalidContinueException(string message)
    : StoreException(message, 400, "BadRequest");
