using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A named set (or verdict map, when <see cref="IsMap"/>) with its elements, as data.</summary>
public sealed record NftSet(string Name, EquatableArray<NftType> Type, EquatableArray<NftElement> Elements)
{
    /// <summary>Elements may be ranges and prefixes (<c>flags interval</c>).</summary>
    public bool Interval { get; init; }

    /// <summary>A verdict map: each element maps its key to a verdict.</summary>
    public bool IsMap { get; init; }

    public string Declaration
    {
        get
        {
            var type = string.Join(" . ", Type.Select(NftSyntax.Of));
            var flags = Interval ? " flags interval;" : string.Empty;
            return IsMap ? $"type {type} : verdict;{flags}" : $"type {type};{flags}";
        }
    }

    /// <summary>Whether two sets have the same declaration (and so can be changed element by element).</summary>
    public bool SameDeclaration(NftSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Type.Equals(other.Type) && Interval == other.Interval && IsMap == other.IsMap;
    }
}
