using Palisade.Model.Selectors;

namespace Palisade.Engine.Calculation;

/// <summary>
/// A label a selector cannot match without: <c>app == 'web'</c> (alone or in a conjunction) requires app=web, and
/// <c>tier in {'a','b'}</c> requires tier=a or tier=b. The selector index files selectors under such labels so that a new
/// identity is checked only against selectors it could match.
/// </summary>
internal static class RequiredLabel
{
    public static (string Key, string[] Values)? Of(Selector? selector) => selector switch
    {
        EqualSelector eq => (eq.Key, [eq.Value]),
        InSelector @in when !@in.Values.IsEmpty => (@in.Key, [.. @in.Values]),
        AndSelector and => and.Operands.Select(Of).FirstOrDefault(r => r is not null),
        _ => null,
    };
}
