namespace Palisade.Client;

/// <summary>One page of a list as the server sent it (a typed list, e.g. <c>NetworkPolicyList</c>), and where it came from.</summary>
/// <param name="Source">The request's URL, to name the page in messages.</param>
/// <param name="Json">The page's body: a list whose items carry no kind (the list's kind names it).</param>
/// <param name="ResourceVersion">The list's resourceVersion: a watch from it misses nothing and repeats nothing.</param>
public sealed record ApiListPage(string Source, string Json, string ResourceVersion);
