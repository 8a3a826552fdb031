using System.Collections.Concurrent;

namespace Palisade.Manifests;

/// <summary>Remembers what each unchanged file contributed, across loads (same path, size and modification time).</summary>
public sealed class ParseCache
{
    private readonly ConcurrentDictionary<string, FileContribution> files = new(StringComparer.Ordinal);

    /// <summary>How many files the last load replayed instead of reading.</summary>
    public int LastHits { get; internal set; }

    internal FileContribution? Find(string fullPath, long length, DateTime modified) =>
        files.TryGetValue(fullPath, out var c) && c.Length == length && c.Modified == modified ? c : null;

    internal void Store(string fullPath, FileContribution contribution) => files[fullPath] = contribution;

    internal void Forget(string fullPath) => files.TryRemove(fullPath, out _);
}
