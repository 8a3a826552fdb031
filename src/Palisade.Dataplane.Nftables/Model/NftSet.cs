namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A named set (or map, when <see cref="MapTo"/> is set) with its elements, as data.</summary>
public sealed record NftSet(string Name, string Type, Palisade.Model.EquatableArray<string> Elements)
{
    /// <summary><c>interval</c> for sets holding ranges.</summary>
    public string? Flags { get; init; }

    /// <summary>For verdict maps: <c>verdict</c>; elements are then <c>key : verdict</c>.</summary>
    public string? MapTo { get; init; }

    public bool IsMap => MapTo is not null;

    public string Declaration => IsMap
        ? $"type {Type} : {MapTo};{(Flags is null ? string.Empty : $" flags {Flags};")}"
        : $"type {Type};{(Flags is null ? string.Empty : $" flags {Flags};")}";
}
