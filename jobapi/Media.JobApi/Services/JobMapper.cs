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
        proto.Stages.AddRange(stages.Select(s => ToProto(s, stages)));

        proto.Outputs.AddRange(outputs);
        return proto;
    }

    /// <param name="stages">The job's stages (a variant shows the progress of the render that makes it).</param>
    public static Stage ToProto(StageRecord stage, IReadOnlyList<StageRecord> stages) => new()
    {
        Id = stage.Id,
        Kind = stage.Kind,
        State = stage.State,
        OutputName = stage.OutputName,
        Attempt = stage.Attempt,
        Progress = Orchestration.JobPlanner.Progress(stage, stages),
        WorkerId = stage.WorkerId,
        StartedAt = stage.StartedAt is { } started ? Timestamp.FromDateTimeOffset(started) : null,
        FinishedAt = stage.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
        Error = stage.Error,
        RangeStartSeconds = stage.RangeStart ?? 0,
        RangeEndSeconds = stage.RangeEnd ?? 0,
        RenderedBy = stage.RenderedBy,
    };
}
