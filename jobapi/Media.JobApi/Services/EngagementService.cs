using Google.Protobuf;
using Grpc.Core;
using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Pipelines.Analysis;
using Media.Pipelines.Hooks;
using Media.Pipelines.Render;
using Media.Platform.Storage;
using Media.Protos.V1;

namespace Media.JobApi.Services;

/// <summary>
/// Engagement feedback for the hook scorer. Each record carries the hook features of the output's opening (a
/// clip's own opening, or the source's first seconds for a whole-source output) and the model version, read
/// from the job's analysis when the metrics arrive, so `media hooks train` needs nothing but this list.
/// </summary>
public sealed class EngagementService(IJobStore store, TenantDocumentStores documents, IBlobStore blobs, TimeProvider time) : Protos.V1.Engagement.EngagementBase
{
    public const int MaxRecords = 10_000;
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public override async Task<EngagementRecord> RecordEngagement(RecordEngagementRequest request, ServerCallContext context)
    {
        Validate(request);
        var tenant = CallerTenant.Of(context);
        var job = await store.GetOwnedJobAsync(request.JobId, tenant, context.CancellationToken);
        if (job.State != JobState.Succeeded)
        {
            throw new PreconditionFailedException($"Job {job.Id} is {job.State}; engagement is recorded for the outputs of succeeded jobs.");
        }

        var outputs = await store.GetOutputsAsync(job.Id, context.CancellationToken);
        if (outputs.All(o => o.Name != request.OutputName))
        {
            throw new ResourceNotFoundException("output", $"{job.Id}/{request.OutputName}");
        }

        var record = new EngagementRecord
        {
            JobId = job.Id,
            OutputName = request.OutputName,
            Views = request.Views,
            Hold3SRate = request.Hold3SRate,
            AverageWatchFraction = request.AverageWatchFraction,
            Likes = request.Likes,
            Shares = request.Shares,
            RecordedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        };
        if (outputs.FirstOrDefault(o => o.Name == SourceAnalysis.DocumentName) is { } analysisOutput)
        {
            var analysis = SourceAnalysis.FromJson(await blobs.ReadAllBytesAsync(analysisOutput.Key, context.CancellationToken));
            record.HookModel = analysis.Hooks?.Model ?? string.Empty;
            // The render stage that made this output says which fan-out clip it is ("vertical-clip2.mp4" is clip 2).
            var clip = (await store.GetStagesAsync(job.Id, context.CancellationToken))
                .FirstOrDefault(s => s.Kind == StageKind.Render && Path.GetFileNameWithoutExtension(request.OutputName) == s.OutputName)?.Clip ?? 0;
            foreach (var (name, value) in OpeningFeatures(analysis, clip))
            {
                record.Features[name] = value;
            }
        }

        await documents.Engagement.PutAsync(new StoredDocument(tenant, $"{job.Id}/{request.OutputName}", Formatter.Format(record), time.GetUtcNow()), context.CancellationToken);
        return record;
    }

    public override async Task<ListEngagementResponse> ListEngagement(ListEngagementRequest request, ServerCallContext context)
    {
        if (request.Limit < 0 || request.Limit > MaxRecords)
        {
            throw new RequestValidationException("limit", $"must be between 0 and {MaxRecords} (0 = {MaxRecords})");
        }

        var limit = request.Limit == 0 ? MaxRecords : request.Limit;
        var stored = await documents.Engagement.ListAsync(CallerTenant.Of(context), context.CancellationToken);
        var response = new ListEngagementResponse();
        response.Records.AddRange(stored.OrderByDescending(d => d.UpdatedAt).Take(limit).Select(d => EngagementRecord.Parser.ParseJson(d.Document)));
        return response;
    }

    /// <summary>A clip's recorded opening features; otherwise the mean features of the source's first seconds.</summary>
    public static IReadOnlyDictionary<string, double> OpeningFeatures(SourceAnalysis analysis, int clip)
    {
        if (clip > 0 && analysis.Clips?.FirstOrDefault(c => c.Rank == clip) is { Features: { } features })
        {
            return features;
        }

        return HookFeatures.Mean(HookFeatures.Extract(analysis), 0, ClipPlanner.OpeningSeconds);
    }

    private static void Validate(RecordEngagementRequest request)
    {
        var violations = new List<FieldViolation>();
        if (string.IsNullOrWhiteSpace(request.JobId))
        {
            violations.Add(new FieldViolation("job_id", "is required"));
        }

        if (string.IsNullOrWhiteSpace(request.OutputName))
        {
            violations.Add(new FieldViolation("output_name", "is required (an output name from GetJob)"));
        }

        foreach (var (field, value) in new[] { ("views", request.Views), ("likes", request.Likes), ("shares", request.Shares) })
        {
            if (value < 0)
            {
                violations.Add(new FieldViolation(field, "must not be negative"));
            }
        }

        foreach (var (field, value) in new[] { ("hold_3s_rate", request.Hold3SRate), ("average_watch_fraction", request.AverageWatchFraction) })
        {
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                violations.Add(new FieldViolation(field, "is a fraction between 0 and 1"));
            }
        }

        if (violations.Count > 0)
        {
            throw new RequestValidationException(violations);
        }
    }
}
