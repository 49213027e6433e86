using System.ComponentModel.DataAnnotations;

namespace Media.JobApi.Auth;

public sealed class AuthOptions
{
    public const string Section = "Media:Auth";

    /// <summary>
    /// When true every call needs an API key (Unauthenticated otherwise). When false (the single-machine default)
    /// a call without a key is the "default" tenant; a call with a key is still checked and scoped to its tenant.
    /// </summary>
    public bool RequireApiKeys { get; set; }

    /// <summary>
    /// An operator key given in configuration (a Kubernetes Secret), at least 32 characters: it has the admin role
    /// for the "operators" tenant and is never stored. Use it to create the first keys.
    /// </summary>
    [MinLength(32)]
    public string? BootstrapAdminKey { get; set; }

    /// <summary>How long a checked key is trusted without asking the store again (so a revocation takes this long).</summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 10;
}
