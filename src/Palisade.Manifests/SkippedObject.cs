namespace Palisade.Manifests;

/// <summary>An object of a kind Palisade does not read, kept so that <c>-v</c> can list what was passed over.</summary>
public sealed record SkippedObject(string ApiVersion, string Kind, string? Namespace, string Name, string File, int Line)
{
    public override string ToString() =>
        $"{Kind} {(Namespace is null ? Name : $"{Namespace}/{Name}")} ({ApiVersion}) at {File}:{Line}";
}
