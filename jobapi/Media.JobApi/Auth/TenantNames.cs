using System.Text.RegularExpressions;

namespace Media.JobApi.Auth;

/// <summary>Tenant names become parts of storage keys ("tenants/acme/…"), so only a safe alphabet is allowed.</summary>
public static partial class TenantNames
{
    public const string Rule = "1-63 of a-z, 0-9 and '-', starting with a letter or digit";

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
