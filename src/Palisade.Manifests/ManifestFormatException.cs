namespace Palisade.Manifests;

/// <summary>Text that is not YAML or JSON objects, or one over the loader's limits; the message gives source:line:column.</summary>
public sealed class ManifestFormatException : Exception
{
    public ManifestFormatException()
    {
    }

    public ManifestFormatException(string message)
        : base(message)
    {
    }

    public ManifestFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
