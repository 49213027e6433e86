using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Media.Protos.V1;

namespace Media.Client;

/// <summary>
/// What a direct upload has stored so far, written after every part, so a client that stops (killed, rebooted,
/// offline) carries on with the same upload and only the parts still missing. One file per farm, content and part
/// size; deleted once the upload completes.
/// </summary>
internal sealed class UploadJournal
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public required string UploadId { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required List<JournalPart> Parts { get; init; }

    /// <summary>Part number → the ETag storage answered.</summary>
    public Dictionary<int, string> Stored { get; init; } = [];

    /// <summary>One journal per farm, caller (the key decides the tenant, so another key never resumes it), content and part size.</summary>
    public static string PathFor(string directory, string address, string? apiKey, string sha256, long size, long partSize)
    {
        var identity = SHA256.HashData(Encoding.UTF8.GetBytes($"{address}\n{apiKey}\n{sha256}\n{size}\n{partSize}"));
        return Path.Combine(directory, Convert.ToHexStringLower(identity) + ".json");
    }

    public static UploadJournal From(CreateUploadResponse plan) => new()
    {
        UploadId = plan.UploadId,
        ExpiresAt = plan.ExpiresAt.ToDateTimeOffset(),
        Parts = [.. plan.Parts.Select(p => new JournalPart(p.PartNumber, p.Offset, p.SizeBytes, p.Url))],
    };

    /// <summary>The journal at <paramref name="path"/> if it can still be finished (its part URLs outlive the next few minutes), else null.</summary>
    public static UploadJournal? TryLoad(string path, DateTimeOffset now)
    {
        try
        {
            var journal = JsonSerializer.Deserialize<UploadJournal>(File.ReadAllText(path), Json);
            if (journal is not null && journal.ExpiresAt - now > TimeSpan.FromMinutes(5))
            {
                return journal;
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            // Missing or unreadable: start a new upload.
        }

        Delete(path);
        return null;
    }

    public long StoredBytes => Parts.Where(p => Stored.ContainsKey(p.PartNumber)).Sum(p => p.SizeBytes);

    /// <summary>
    /// Written beside and renamed over, so a crash mid-write leaves the previous journal, never half of one. Readable by
    /// its owner only: the part URLs in it are credentials for writing those parts until they expire.
    /// </summary>
    public void Save(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(file, this, Json);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover journal is retried and discarded next time.
        }
    }
}

internal sealed record JournalPart(int PartNumber, long Offset, long SizeBytes, string Url);
