// TEMPORARY stand-in until the selector branch is merged.
namespace Palisade.Model;
public static class LabelSyntax
{
    public static string? KeyError(string key) => string.IsNullOrEmpty(key) ? "must not be empty" : null;
    public static string? ValueError(string value) => value.Length > 63 ? "must be 63 characters or less" : null;
    public static string? DnsLabelError(string name) => string.IsNullOrEmpty(name) ? "must not be empty" : null;
}
