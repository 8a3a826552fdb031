namespace Palisade.Manifests.Kubernetes;

/// <summary>Kubernetes port names (IANA service names): at most 15 of [a-z0-9-], a letter among them, no '--', no '-' at an end.</summary>
internal static class PortNames
{
    public static string? Error(string name)
    {
        if (name.Length is 0 or > 15)
        {
            return "must be 1 to 15 characters";
        }

        if (name.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')))
        {
            return "must contain only lowercase letters, digits and '-'";
        }

        if (!name.Any(c => c is >= 'a' and <= 'z'))
        {
            return "must contain at least one letter";
        }

        if (name.StartsWith('-') || name.EndsWith('-') || name.Contains("--", StringComparison.Ordinal))
        {
            return "must not begin or end with '-' or contain '--'";
        }

        return null;
    }
}
