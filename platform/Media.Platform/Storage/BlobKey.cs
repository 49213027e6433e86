using System.Buffers;

namespace Media.Platform.Storage;

/// <summary>
/// Object keys are relative paths of safe segments. Anything that could climb out of a prefix or folder
/// (.., absolute paths, backslashes, control characters) is refused, so user-supplied names never
/// escape where they are put.
/// </summary>
public static class BlobKey
{
    public const int MaxLength = 512;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/");

    public static bool IsValid(string? key, out string reason)
    {
        if (string.IsNullOrEmpty(key))
        {
            reason = "must not be empty";
            return false;
        }

        if (key.Length > MaxLength)
        {
            reason = $"must be at most {MaxLength} characters";
            return false;
        }

        if (key.AsSpan().IndexOfAnyExcept(Allowed) >= 0)
        {
            reason = "may only contain letters, digits, '.', '_', '-' and '/'";
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                reason = "must be a relative path without empty, '.' or '..' segments";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    public static string Validate(string key)
    {
        return IsValid(key, out var reason) ? key : throw new ArgumentException($"Object key '{key}' {reason}.", nameof(key));
    }

    /// <summary>Turns an arbitrary user file name into one safe key segment (never empty).</summary>
    public static string SafeSegment(string? name, string fallback = "file")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return fallback;
        }

        var leaf = name.Replace('\\', '/');
        leaf = leaf[(leaf.LastIndexOf('/') + 1)..];
        Span<char> buffer = stackalloc char[Math.Min(leaf.Length, 100)];
        var length = 0;
        foreach (var c in leaf.AsSpan(0, buffer.Length))
        {
            buffer[length++] = Allowed.Contains(c) && c != '/' ? c : '_';
        }

        var result = new string(buffer[..length]).Trim('.');
        return result.Length == 0 ? fallback : result;
    }
}
