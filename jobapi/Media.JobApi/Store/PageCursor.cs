using System.Globalization;
using System.Text;

namespace Media.JobApi.Store;

/// <summary>Opaque keyset cursor for ListJobs: (created_at, id) of the last job on the page.</summary>
public static class PageCursor
{
    public static string Encode(long createdAtMs, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{createdAtMs.ToString(CultureInfo.InvariantCulture)}|{id}"));

    public static bool TryDecode(string? token, out long createdAtMs, out string id)
    {
        createdAtMs = 0;
        id = string.Empty;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar <= 0 || !long.TryParse(text.AsSpan(0, bar), NumberStyles.Integer, CultureInfo.InvariantCulture, out createdAtMs))
            {
                return false;
            }

            id = text[(bar + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
