namespace Palisade.Engine.Calculation;

/// <summary>A list's subjects (sorted selector ids) compared by content.</summary>
internal readonly struct SubjectKey(int[] subjects) : IEquatable<SubjectKey>
{
    public int[] Subjects { get; } = subjects;

    public bool Equals(SubjectKey other) => Subjects.AsSpan().SequenceEqual(other.Subjects);

    public override bool Equals(object? obj) => obj is SubjectKey k && Equals(k);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var s in Subjects)
        {
            h.Add(s);
        }

        return h.ToHashCode();
    }
}
