namespace Palisade.Linux.Lab;

/// <summary>A lab node: a network namespace that routes for its pods and joins the others over the fabric bridge.</summary>
/// <param name="Name">The node's name (<c>node-1</c>, <c>node-2</c>, ...), what agents are started with.</param>
/// <param name="Netns">The node's network namespace (<c>pal-node-1</c>, ...).</param>
/// <param name="Address">The node's IPv4 address on the fabric (<c>172.31.255.1</c>, ...).</param>
public sealed record LabNode(string Name, string Netns, string Address);
