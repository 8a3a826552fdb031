using Palisade.Client;

namespace Palisade.Cli;

/// <summary>What a command read from a live server: the list pages of every kind Palisade reads, and where from.</summary>
internal sealed record ServerObjects(Uri Server, IReadOnlyList<ApiListPage> Pages);
