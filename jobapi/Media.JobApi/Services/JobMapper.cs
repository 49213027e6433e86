using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Store;
using Media.Protos.V1;

namespace Media.JobApi.Services;

/// <summary>Stored records -> the public Job message.</summary>
public static class JobMapper
{
    public static Job ToProto(JobRecord job, IReadOnlyList<StageRecord> stages, IReadOnlyList<Output> outputs)
    {
        var proto = new Job
        {
            Id = job.Id,
            State = job.State,
            PatternName = job.PatternName,
            SourceKey = job.SourceKey,
            Parameters = { new Dictionary<string, string>(job.Parameters) },
            Labels = { new Dictionary<string, string>(job.Labels) },
            Priority = job.Priority,
            IdempotencyKey = job.IdempotencyKey,
            WebhookUrl = job.WebhookUrl,
            CreatedAt = Timestamp.FromDateTimeOffset(job.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(job.UpdatedAt),
            FinishedAt = job.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
            Progress = job.Progress,
            SourceInfo = job.SourceInfo,
            Error = job.Error,
            LastSequence = job.LastSequence,
            DeadLettered = job.State == JobState.Failed && job.Error is { Retryable: true },
            CaptionConfidence = job.Findings?.CaptionConfidence,
        };
        proto.Warnings.AddRange(job.Findings?.Warnings ?? []);
        proto.Stages.AddRange(stages.Select(ToProto));
        foreach (var variant in proto.Stages.Where(s => s.RenderedBy.Length > 0 && s.State != StageState.Succeeded))
        {
            // A variant is as far along as the render that makes it (its own stage never runs).
            variant.Progress = proto.Stages.FirstOrDefault(s => s.Id == variant.RenderedBy)?.Progress ?? variant.Progress;
        }

        proto.Outputs.AddRange(outputs);
        return proto;
    }

    public static Stage ToProto(StageRecord stage) => new()
    {
        Id = stage.Id,
        Kind = stage.Kind,
        State = stage.State,
        OutputName = stage.OutputName,
        Attempt = stage.Attempt,
        Progress = stage.Progress,
        WorkerId = stage.WorkerId,
        StartedAt = stage.StartedAt is { } started ? Timestamp.FromDateTimeOffset(started) : null,
        FinishedAt = stage.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
        Error = stage.Error,
        RangeStartSeconds = stage.RangeStart ?? 0,
        RangeEndSeconds = stage.RangeEnd ?? 0,
        RenderedBy = stage.RenderedBy,
    };
}
