namespace Palisade.Model;

/// <summary>Kubernetes' rules for label keys, label values and DNS names, as messages rather than exceptions.</summary>
/// <remarks>
/// Each method returns null when the text is valid, otherwise the first rule it breaks, phrased to follow the
/// offending text ("label key 'x' " + message). The rules are those of Kubernetes apimachinery's
/// IsQualifiedName, IsValidLabelValue, IsDNS1123Label and IsDNS1123Subdomain.
/// </remarks>
public static class LabelSyntax
{
    /// <summary>Longest label value, and longest name part of a label key.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Longest DNS-1123 subdomain, and longest label-key prefix.</summary>
    public const int MaxSubdomainLength = 253;

    private const string NameChars =
        "must consist of letters, digits, '-', '_' or '.', and must start and end with a letter or digit";

    private const string DnsLabelChars =
        "must consist of lowercase letters, digits or '-', and must start and end with a letter or digit";

    private const string DnsSubdomainChars =
        "must consist of lowercase letters, digits, '-' or '.', and each '.'-separated part must start and end with " +
        "a letter or digit";

    /// <summary>Checks a label key: an optional DNS subdomain prefix and '/', then a name of up to 63 characters.</summary>
    public static string? KeyError(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            return "must not be empty";
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return NameError(key);
        }

        if (key.IndexOf('/', slash + 1) >= 0)
        {
            return "must be a name with an optional prefix, 'prefix/name', with at most one '/'";
        }

        var prefix = key[..slash];
        if (prefix.Length == 0)
        {
            return "prefix before '/' must not be empty";
        }

        if (DnsSubdomainError(prefix) is { } prefixError)
        {
            return $"prefix must be a DNS subdomain: {prefixError}";
        }

        return NameError(key[(slash + 1)..]) is { } nameError ? $"name part {nameError}" : null;
    }

    /// <summary>Checks a label value: empty, or up to 63 letters, digits, '-', '_', '.' starting and ending alphanumeric.</summary>
    public static string? ValueError(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return null;
        }

        if (value.Length > MaxLabelLength)
        {
            return $"must be {MaxLabelLength} characters or less";
        }

        return IsName(value) ? null : NameChars;
    }

    /// <summary>Checks an RFC 1123 DNS label, the form of namespace names.</summary>
    public static string? DnsLabelError(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "must not be empty";
        }

        if (name.Length > MaxLabelLength)
        {
            return $"must be {MaxLabelLength} characters or less";
        }

        return IsDnsLabel(name, 0, name.Length) ? null : DnsLabelChars;
    }

    /// <summary>Checks an RFC 1123 DNS subdomain: dot-separated DNS labels, 253 characters at most in all.</summary>
    public static string? DnsSubdomainError(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "must not be empty";
        }

        if (name.Length > MaxSubdomainLength)
        {
            return $"must be {MaxSubdomainLength} characters or less";
        }

        // Kubernetes limits only the whole subdomain, not each dot-separated part, to a length.
        var start = 0;
        while (true)
        {
            var dot = name.IndexOf('.', start);
            var end = dot < 0 ? name.Length : dot;
            if (!IsDnsLabel(name, start, end))
            {
                return DnsSubdomainChars;
            }

            if (dot < 0)
            {
                return null;
            }

            start = dot + 1;
        }
    }

    private static string? NameError(string name)
    {
        if (name.Length == 0)
        {
            return "must not be empty";
        }

        if (name.Length > MaxLabelLength)
        {
            return $"must be {MaxLabelLength} characters or less";
        }

        return IsName(name) ? null : NameChars;
    }

    private static bool IsName(string s)
    {
        if (!char.IsAsciiLetterOrDigit(s[0]) || !char.IsAsciiLetterOrDigit(s[^1]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDnsLabel(string s, int start, int end)
    {
        if (end <= start || !IsLowerAlnum(s[start]) || !IsLowerAlnum(s[end - 1]))
        {
            return false;
        }

        for (var i = start; i < end; i++)
        {
            if (!IsLowerAlnum(s[i]) && s[i] != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerAlnum(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
