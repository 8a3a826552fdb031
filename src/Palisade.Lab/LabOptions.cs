using Palisade.Model;

namespace Palisade.Lab;

/// <summary>How to bring a lab up: how many nodes, which ports every pod serves, and how to start the server.</summary>
public sealed record LabOptions
{
    /// <summary>How many nodes the pods are spread over (1 to 254).</summary>
    public int Nodes { get; init; } = 2;

    /// <summary>Ports served on every pod besides those its containers declare (conformance suites probe 80 and 81 everywhere).</summary>
    public IReadOnlyList<PortSpec> ExtraPorts { get; init; } = [];

    /// <summary>
    /// The command line of the server process (<c>palisade lab serve --state PATH</c>), started detached once the
    /// namespaces exist; null starts none (the caller hosts a <see cref="LabServer"/> itself).
    /// </summary>
    public IReadOnlyList<string>? ServerCommand { get; init; }

    /// <summary>How long the server may take to open every pod's sockets.</summary>
    public TimeSpan ServerReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Remove a lab that is already up first, instead of refusing.</summary>
    public bool Replace { get; init; }
}
