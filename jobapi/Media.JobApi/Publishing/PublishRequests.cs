using Media.JobApi.Store;
using Media.Pipelines.Publishing;
using Media.Platform.Storage;
using Media.Protos.V1;

namespace Media.JobApi.Publishing;

/// <summary>
/// The PublishRequested message of a job's publication: destinations, outputs with fresh presigned URLs, the
/// suggested title, description and hashtags. Built when the hand-off happens, and again when its webhook is resumed.
/// </summary>
public sealed class PublishRequests(IJobStore store, IBlobStore blobs)
{
    private static readonly Google.Protobuf.JsonFormatter Formatter = new(Google.Protobuf.JsonFormatter.Settings.Default);

    /// <summary>The webhook body: the message in the proto3 JSON mapping.</summary>
    public static byte[] ToJson(PublishRequested message) => System.Text.Encoding.UTF8.GetBytes(Formatter.Format(message));

    public async Task<PublishRequested> BuildAsync(JobRecord job, PublicationRecord due, CancellationToken cancellationToken)
    {
        var outputs = await store.GetOutputsAsync(job.Id, cancellationToken);
        var message = new PublishRequested
        {
            JobId = job.Id,
            Tenant = job.Tenant,
            PublishAt = due.Publication.PublishAt,
            Destinations = { due.Publication.Destinations },
            Labels = { new Dictionary<string, string>(job.Labels) },
        };
        foreach (var stored in outputs)
        {
            var output = stored.Clone();
            output.DownloadUrl = blobs.TryGetDownloadUrl(output.Key) ?? string.Empty;
            message.Outputs.Add(output);
        }

        if (outputs.FirstOrDefault(o => o.Kind == OutputKind.Metadata) is { } metadata
            && PublishSuggestions.FromJson(await blobs.ReadAllBytesAsync(metadata.Key, cancellationToken)) is { } suggestions)
        {
            message.Title = suggestions.Title;
            message.Description = suggestions.Description;
            message.Hashtags.AddRange(suggestions.Hashtags);
        }

        return message;
    }
}
