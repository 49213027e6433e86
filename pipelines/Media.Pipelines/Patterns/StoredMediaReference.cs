namespace Media.Pipelines.Patterns;

/// <summary>
/// The one reader of "blob:&lt;key&gt;" references, which name a stored object (a source, a logo, music, an intro):
/// the job API checks them at submission, the workers when they fetch. What a valid key is and whose it may be is the
/// blob store's and the tenant's business; this says only whether the text is a reference and which key it names.
/// </summary>
public static class StoredMediaReference
{
    public const string Scheme = "blob:";

    /// <summary>The reference of an object key.</summary>
    public static string Of(string key) => Scheme + key;

    /// <summary>
    /// Reads a reference: true with <paramref name="key"/> null for empty text (the step is then left out), true with
    /// the key for "blob:&lt;key&gt;", false for anything else (an empty key included).
    /// </summary>
    public static bool TryParse(string reference, out string? key)
    {
        var trimmed = reference.Trim();
        key = null;
        if (trimmed.Length == 0)
        {
            return true;
        }

        if (!trimmed.StartsWith(Scheme, StringComparison.Ordinal) || trimmed.Length == Scheme.Length)
        {
            return false;
        }

        key = trimmed[Scheme.Length..];
        return true;
    }

    /// <summary>The object key, or null when the reference is empty (the step is then left out).</summary>
    /// <exception cref="InvalidDataException">The text is not a reference to a stored object.</exception>
    public static string? KeyOf(string reference, string what) =>
        TryParse(reference, out var key)
            ? key
            : throw new InvalidDataException($"The {what} '{Shorten(reference.Trim())}' must be 'blob:<key>' of an uploaded file.");

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
