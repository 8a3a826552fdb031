namespace Palisade.Engine.Calculation;

/// <summary>Tuning of the calculation engine; the defaults suit production, tests vary them to reach every path.</summary>
public sealed record CalculationOptions
{
    /// <summary>Tier programs with more rules than this get a selector index (0: index every program).</summary>
    public int IndexThreshold { get; init; } = 24;
}
