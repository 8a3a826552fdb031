namespace Palisade.Lab;

/// <summary>How probes run: how long each waits for an answer, and how many run at once.</summary>
public sealed record ProbeOptions
{
    /// <summary>How long a probe waits for a connection or a reply (a blocked flow costs this much).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many probes are in flight at once.</summary>
    public int Concurrency { get; init; } = 32;
}
