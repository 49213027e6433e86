using Media.Pipelines.Analysis;
using Media.Pipelines.Render;
using Google.Protobuf;
using Media.JobApi.Orchestration.Machine;
using Media.JobApi.Store;
using Media.Platform.Bus;
using Media.Platform.Storage;
using Media.Platform.Telemetry;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;

namespace Media.JobApi.Orchestration;

/// <summary>
/// Carries out what a committed decision asks for: dispatches and cancels on the bus, dead letters, webhooks, metrics,
/// admission of the next held job, log lines. Runs after the orchestrator's lock is released. Nothing here can undo a
/// commit: a dispatch that cannot be published parks its stage for the sweep, and the rest only informs.
/// </summary>
internal sealed class JobEffects(
    IMessageBus bus,
    JobApiOptions options,
    ILogger logger,
    Webhooks.WebhookSender? webhooks,
    Func<string, CancellationToken, Task> admitHeld,
    Func<StageRecord, Task> park,
    Func<StageRecord, Task> published,
    Func<string, CancellationToken, Task<IReadOnlyList<Output>>> outputsOf,
    IBlobStore? blobs,
    Func<JobRecord, DateTimeOffset, Task> scheduleTidy,
    TimeProvider time)
{
    // Deleting a stale run's objects is on the event path: a storage outage must not hold the job's other events.
    private static readonly TimeSpan DiscardTimeout = TimeSpan.FromSeconds(5);

    public bool BusIsDurable => bus.IsDurable;

    public async Task CarryOutAsync(IReadOnlyList<JobEffect> effects)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case DispatchStages dispatch:
                    await PublishAsync(dispatch.Job, dispatch.Stages);
                    break;
                case StopWork stop:
                    await TryPublishAsync(Topics.Control, stop.JobId, new ControlMessage { Cancel = new CancelStage { JobId = stop.JobId } },
                        // Workers still stop: the job is terminal, so their next event is ignored and their lease is gone.
                        "Could not tell workers to stop job {JobId}");
                    break;
                case StopStaleRun stale:
                    await TryPublishAsync(Topics.Control, stale.JobId, new ControlMessage { StopRun = new StopRun { JobId = stale.JobId, StageId = stale.StageId, UpToAttempt = stale.UpToAttempt } },
                        // The run finishes for nothing then, and its outputs are discarded.
                        "Could not tell a stale run of job {JobId} to stop");

                    // A run stopped between its uploads and its completion leaves objects no completion will name.
                    await TidyAgainAsync(stale.Job);
                    break;
                case SendDeadLetter dead:
                    await TryPublishAsync(Topics.DeadLetter, dead.Letter.JobId, dead.Letter,
                        // The job itself records the failure (dead_lettered); the topic is a notification for operators.
                        "Could not publish the dead letter of job {JobId}");
                    break;
                case JobAccepted accepted:
                    FarmTelemetry.JobsSubmitted.Add(1, new KeyValuePair<string, object?>("priority", accepted.Job.Priority.Name()));
                    break;
                case JobFinished finished:
                    await FinishedAsync(finished.Job);
                    break;
                case DiscardOutputs discard:
                    await DiscardAsync(discard);
                    break;
                case DiscardRenderParts parts:
                    await DiscardPartsAsync(parts);
                    break;
                case Machine.StageFailed failed:
                    FarmTelemetry.StageFailures.Add(1, new("kind", failed.Stage.Kind.ToString().ToLowerInvariant()), new("code", failed.Error.Code), new("retryable", failed.Error.Retryable));
                    break;
                case LogNote note:
#pragma warning disable CA2254 // The templates are constants of the state machine.
                    logger.Log(note.Level, note.Template, note.Arguments);
#pragma warning restore CA2254
                    break;
            }
        }
    }

    // Parts no render stage will join: deleted now; should storage fail, the job's retention deletes them with its folder.
    private async Task DiscardPartsAsync(DiscardRenderParts discard)
    {
        if (blobs is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(DiscardTimeout);
            var prefix = TenantKeys.JobOutputs(discard.Job.Tenant, discard.Job.Id);
            foreach (var stage in discard.StageIds)
            {
                // The manifest first, as the join deletes them: a part without its manifest is never joined.
                foreach (var key in RenderChunks.MediaKeys(prefix, stage).Prepend(RenderChunks.ManifestKey(prefix, stage)))
                {
                    await blobs.DeleteAsync(key, timeout.Token);
                }
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not delete {Parts} unused render parts of job {JobId} ({Cause}); they go with the job's folder", discard.StageIds.Count, discard.Job.Id, Media.Platform.Hosting.PeriodicLoop.Describe(ex));
        }
    }

    // A run's outputs the job will never hold (its completion came too late or twice): deleted now, unless the record
    // names them (the same completion delivered again). Anything missed here is left to the leftover sweep, which is
    // scheduled again for it (its pass for the job may be over).
    private async Task DiscardAsync(DiscardOutputs discard)
    {
        if (blobs is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(DiscardTimeout);
            var prefix = TenantKeys.JobOutputs(discard.Job.Tenant, discard.Job.Id);
            var held = (await outputsOf(discard.Job.Id, timeout.Token)).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var key in discard.Keys.Where(k => RunKeys.IsRunOutput(prefix, k) && !held.Contains(k)))
            {
                await blobs.DeleteAsync(key, timeout.Token);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not delete the outputs of a stale run of job {JobId} ({Cause}); the leftover sweep will", discard.Job.Id, Media.Platform.Hosting.PeriodicLoop.Describe(ex));
            await TidyAgainAsync(discard.Job);
        }
    }

    private async Task TidyAgainAsync(JobRecord job)
    {
        try
        {
            await scheduleTidy(job, time.GetUtcNow().AddSeconds(options.RunLeftoverSeconds));
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not schedule the leftover sweep of job {JobId} ({Cause}); retention removes its folder in the end", job.Id, Media.Platform.Hosting.PeriodicLoop.Describe(ex));
        }
    }

    private async Task FinishedAsync(JobRecord job)
    {
        FarmTelemetry.JobsFinished.Add(1, new KeyValuePair<string, object?>("state", job.State.ToString().ToLowerInvariant()));
        if (!string.IsNullOrEmpty(job.WebhookUrl))
        {
            webhooks?.JobFinished(job.Id);
        }

        try
        {
            // A slot of the tenant's allowance is free: its next held job goes.
            await admitHeld(job.Tenant, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The sweep admits it instead; the transition that freed the slot has succeeded.
            logger.LogWarning("Admitting held jobs of tenant {Tenant} failed ({Cause}); the sweep will", job.Tenant, Media.Platform.Hosting.PeriodicLoop.Describe(ex));
        }
    }

    // Published after the commit: if the process dies in between, the stored lease expires and the stage is dispatched
    // again. Nothing depends on the publish succeeding.
    private async Task PublishAsync(JobRecord job, IReadOnlyList<StageRecord> stages)
    {
        string? analysisKey = null;
        foreach (var stage in stages)
        {
            var dispatch = new StageDispatch
            {
                JobId = job.Id,
                StageId = stage.Id,
                Kind = stage.Kind,
                Attempt = stage.Attempt,
                SourceKey = job.SourceKey,
                PatternDocument = job.PatternDocument,
                Parameters = { new Dictionary<string, string>(job.Parameters) },
                Templates = { new Dictionary<string, string>(job.Templates) },
                OutputName = stage.OutputName,
                PatternOutput = stage.PatternOutput,
                Clip = stage.Clip,
                Revision = stage.Revision,
                PlanKey = stage.PlanKey,
                OutputPrefix = TenantKeys.JobOutputs(job.Tenant, job.Id),
                SourceInfo = job.SourceInfo ?? new MediaInfo(),
                LeaseSeconds = options.LeaseSeconds,
                Tenant = job.Tenant,
                RangeStartSeconds = stage.RangeStart ?? 0,
                RangeEndSeconds = stage.RangeEnd ?? 0,
                VariantOutputs = { stage.Variants },
            };
            if (stage.Kind == StageKind.Analyze)
            {
                dispatch.PartKeys.AddRange(InPartOrder(stage.DependsOn.Where(id => AnalysisChunks.IsPartOf(stage.Id, id))).Select(id => AnalysisChunks.PartKey(dispatch.OutputPrefix, id)));
            }
            else if (stage.Kind == StageKind.Render)
            {
                dispatch.PartKeys.AddRange(InPartOrder(RenderChunks.JoinedBy(stage.Id, stage.PatternOutput, stage.DependsOn)).Select(id => RenderChunks.ManifestKey(dispatch.OutputPrefix, id)));
            }

            try
            {
                if (stage.Kind is StageKind.Render or StageKind.RenderChunk)
                {
                    // The accepted analyze run's document: outputs live in per-run folders, so only the record knows it.
                    analysisKey ??= (await outputsOf(job.Id, CancellationToken.None)).FirstOrDefault(o => o.Name == SourceAnalysis.DocumentName)?.Key ?? string.Empty;
                    dispatch.AnalysisKey = analysisKey;
                }

                using var activity = FarmTelemetry.Source.StartActivity("dispatch " + stage.Kind.ToString().ToLowerInvariant(), System.Diagnostics.ActivityKind.Producer);
                activity?.SetTag("media.job_id", job.Id).SetTag("media.stage_id", stage.Id).SetTag("media.attempt", stage.Attempt);
                await bus.PublishAsync(new BusMessage(Topics.Stages(stage.Pool, job.Priority), job.Id, dispatch.ToByteArray()), CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The bus is unreachable: park the stage as a due retry (not a failure); the sweeper publishes it again.
                logger.LogWarning("Could not publish stage {StageId} ({Cause}); retrying in 2 s", stage.Id, Media.Platform.Hosting.PeriodicLoop.Describe(ex));
                await park(stage);
                continue;
            }

            await published(stage);
        }
    }

    private async Task TryPublishAsync(string topic, string key, IMessage message, string failure)
    {
        try
        {
            await bus.PublishAsync(new BusMessage(topic, key, message.ToByteArray()), CancellationToken.None);
        }
        catch (Exception ex)
        {
#pragma warning disable CA2254 // Constant templates of this class.
            logger.LogWarning(ex, failure, key);
#pragma warning restore CA2254
        }
    }

    // Parts in time order (part99 before part100: the numbers are not zero-padded beyond two digits), the sound last.
    internal static IEnumerable<string> InPartOrder(IEnumerable<string> ids) =>
        ids.OrderBy(RenderChunks.IsSound).ThenBy(id => id.Length).ThenBy(id => id, StringComparer.Ordinal);
}
