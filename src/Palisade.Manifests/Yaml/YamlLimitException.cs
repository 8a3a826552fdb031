using YamlDotNet.Core;

namespace Palisade.Manifests.Yaml;

/// <summary>A document exceeded one of the <see cref="ManifestLimits"/>; the message says which and what the limit is.</summary>
internal sealed class YamlLimitException : Exception
{
    public YamlLimitException()
    {
    }

    public YamlLimitException(string message)
        : base(message)
    {
    }

    public YamlLimitException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public YamlLimitException(string message, Mark? at)
        : base(message)
    {
        At = at;
    }

    /// <summary>Where the limit was exceeded; null until the parser, which knows the position, fills it in.</summary>
    public Mark? At { get; }
}
