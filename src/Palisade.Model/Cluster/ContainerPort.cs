namespace Palisade.Model.Cluster;

/// <summary>A port a workload's container declares; named ports are what policies may refer to by name.</summary>
public sealed record ContainerPort(string? Name, int Port, Protocol Protocol);
