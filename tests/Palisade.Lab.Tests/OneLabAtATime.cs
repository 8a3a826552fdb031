namespace Palisade.Lab.Tests;

/// <summary>Tests that bring a lab up share the machine's pal-node-*, pal-p-* and pal-fabric names: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneLabAtATime
{
    public const string Name = "lab";
}
