using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Media.JobApi.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Uploads;

/// <summary>
/// The bytes of resumable streamed uploads received so far, one file per tenant and token under the API's data
/// folder: what survives a broken stream, so the client sends only the rest. Files untouched for a day are removed.
/// </summary>
public sealed class PartialUploads(IOptions<JobApiOptions> options, TimeProvider time, ILogger<PartialUploads> logger)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    private string Directory => Path.Combine(options.Value.DataDirectory, "partial-uploads");

    public static bool IsValidToken(string token) =>
        token.Length is >= 16 and <= 64 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Bytes held for the token (0 when none).</summary>
    public long ReceivedBytes(string tenant, string token)
    {
        var file = new FileInfo(PathOf(tenant, token));
        return file.Exists ? file.Length : 0;
    }

    /// <summary>Opens the token's file to append from <paramref name="offset"/>, which must be exactly what it holds.</summary>
    public FileStream OpenForAppend(string tenant, string token, long offset)
    {
        System.IO.Directory.CreateDirectory(Directory);
        FileStream file;
        try
        {
            // One writer per token: a second stream for the same upload is refused while the first still runs.
            file = new FileStream(PathOf(tenant, token), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        }
        catch (IOException)
        {
            throw new RpcException(new Status(StatusCode.Aborted, "Another upload with this resume_token is still being received; try again in a moment."));
        }

        if (file.Length != offset)
        {
            var held = file.Length;
            file.Dispose();
            throw new PreconditionFailedException(
                $"header.offset is {offset} but {held} bytes of this upload are held; resume from offset {held} (Uploads.GetUploadProgress).",
                "WRONG_RESUME_OFFSET",
                "header.offset",
                new Dictionary<string, string> { ["held_bytes"] = held.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        file.Position = offset;
        return file;
    }

    public FileStream OpenRead(string tenant, string token) =>
        new(PathOf(tenant, token), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public void Delete(string tenant, string token) => File.Delete(PathOf(tenant, token));

    /// <summary>Removes partial uploads nobody came back for within a day; returns how many.</summary>
    public int RemoveAbandoned()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles("*.part"))
        {
            if (time.GetUtcNow() - file.LastWriteTimeUtc > KeptFor)
            {
                try
                {
                    file.Delete();
                    removed++;
                }
                catch (IOException ex)
                {
                    logger.LogInformation("Could not remove abandoned partial upload {File}: {Error}", file.Name, ex.Message);
                }
            }
        }

        return removed;
    }

    // The tenant is part of the name: another tenant's identical token is another upload.
    private string PathOf(string tenant, string token) =>
        Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant + "\n" + token))) + ".part");
}
