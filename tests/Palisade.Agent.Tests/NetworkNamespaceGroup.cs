namespace Palisade.Agent.Tests;

/// <summary>Tests that create network namespaces run one at a time (they share names).</summary>
[CollectionDefinition("network namespaces", DisableParallelization = true)]
public sealed class NetworkNamespaceGroup;
