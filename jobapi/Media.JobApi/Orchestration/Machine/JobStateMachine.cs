using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;

namespace Media.JobApi.Orchestration.Machine;

/// <summary>
/// Every job and stage transition, as a pure function: (job, stages, input, time) -> (changes, effects). No store, no bus,
/// no clock. Stages are dispatched under a lease; worker events renew it; an expired lease or a retryable failure
/// dispatches again with a new attempt number (events from older attempts are ignored), so work is done at least once
/// and outputs, keyed per stage, are never duplicated. The shell (<see cref="Orchestrator"/>) reads, decides, commits
/// with the job's version and carries the effects out.
/// </summary>
public sealed class JobStateMachine(MachineSettings settings)
{
    /// <summary>A new job: its first stages are dispatched at once when the tenant has room (<paramref name="admit"/>), else it is held.</summary>
    public Decision Submit(JobRecord job, IReadOnlyList<StageRecord> planned, bool admit, DecisionTime time)
    {
        var changes = new JobChanges(job, isNew: true);
        changes.Events.Add(StateEvent(JobState.Queued));
        var dispatched = new List<StageRecord>();
        foreach (var stage in planned)
        {
            var next = admit && stage.DependsOn.Count == 0 ? Dispatched(stage, time.Now) : stage;
            changes.Stages.Add(next);
            if (next.State == StageState.Dispatched)
            {
                dispatched.Add(next);
                changes.Events.Add(StageEvent(next));
            }
        }

        return new Decision(job, changes,
        [
            new JobAccepted(job),
            Dispatch(job, dispatched),
            new LogNote(LogLevel.Information, "Job {JobId} accepted: pattern {Pattern}, {StageCount} stages, priority {Priority}{Held}",
                job.Id, job.PatternName, planned.Count, job.Priority, admit ? string.Empty : " (held: the tenant is at its running-jobs allowance)"),
        ]);
    }

    public Decision Decide(JobSnapshot snapshot, JobInput input, DecisionTime time) => input switch
    {
        AdmitJob => Admit(snapshot, time.Now),
        CancelJob => Cancel(snapshot, time.Now),
        RetryJob => Retry(snapshot, time.Now),
        ApplyStageEvent e => Apply(snapshot, e.Event, time),
        SweepStage s => Sweep(snapshot, s.StageId, time),
        RecoverStage r => Recover(snapshot, r.StageId, time.Now),
        ParkStage p => Park(snapshot, p, time.Now),
        RepublishDispatch r => Republish(snapshot, r),
        ReviseOutput r => Revise(snapshot, r, time.Now),
        _ => throw new ArgumentOutOfRangeException(nameof(input), input, "Unknown input."),
    };

    private Decision Admit(JobSnapshot snapshot, DateTimeOffset now)
    {
        var job = snapshot.Job;
        if (!job.Held || job.State != JobState.Queued)
        {
            return Decision.None(job);
        }

        var changes = new JobChanges(job with { Held = false, UpdatedAt = now });
        var roots = snapshot.Stages.Where(s => s.DependsOn.Count == 0).Select(s => Dispatched(s, now)).ToList();
        foreach (var root in roots)
        {
            changes.Stages.Add(root);
            changes.Events.Add(StageEvent(root));
        }

        return new Decision(changes.Job, changes,
        [
            Dispatch(changes.Job, roots),
            new LogNote(LogLevel.Information, "Job {JobId} admitted (tenant {Tenant})", job.Id, job.Tenant),
        ]);
    }

    private static Decision Cancel(JobSnapshot snapshot, DateTimeOffset now)
    {
        var job = snapshot.Job;
        if (job.State == JobState.Cancelled)
        {
            return Decision.None(job);
        }

        if (job.IsTerminal)
        {
            throw new PreconditionFailedException($"Job {job.Id} already {job.State.ToString().ToUpperInvariant()}; only unfinished jobs can be cancelled.");
        }

        var changes = new JobChanges(job with { State = JobState.Cancelled, Held = false, UpdatedAt = now, FinishedAt = now });
        foreach (var stage in snapshot.Stages.Where(s => !s.IsTerminal))
        {
            var cancelled = stage with { State = StageState.Cancelled, FinishedAt = now, LeaseExpiresAt = null };
            changes.Stages.Add(cancelled);
            changes.Events.Add(StageEvent(cancelled));
        }

        changes.Events.Add(StateEvent(JobState.Cancelled));
        return new Decision(changes.Job, changes,
        [
            // The workers must hear it even if the caller has gone.
            new StopWork(job.Id),
            new JobFinished(changes.Job),
            new LogNote(LogLevel.Information, "Job {JobId} cancelled", job.Id),
        ]);
    }

    private Decision Retry(JobSnapshot snapshot, DateTimeOffset now)
    {
        var job = snapshot.Job;
        if (job.State != JobState.Failed)
        {
            throw new PreconditionFailedException($"Job {job.Id} is {job.State.ToString().ToUpperInvariant()}; only FAILED jobs can be retried.");
        }

        var changes = new JobChanges(job with { State = JobState.Queued, Error = null, FinishedAt = null, UpdatedAt = now });
        changes.Events.Add(StateEvent(JobState.Queued));
        var succeeded = Succeeded(snapshot.Stages);
        var ready = new List<StageRecord>();

        // Attempt numbers keep counting, so late events of the failed attempts stay ignored.
        foreach (var stage in snapshot.Stages.Where(s => s.State is StageState.Failed or StageState.Cancelled && !Superseded(s, snapshot.Stages)))
        {
            var reset = stage with { State = StageState.Waiting, Failures = 0, Error = null, Progress = 0, WorkerId = string.Empty, LeaseExpiresAt = null, StartedAt = null, FinishedAt = null };
            var next = reset.RenderedBy.Length == 0 && reset.DependsOn.All(succeeded.Contains) ? Dispatched(reset, now) : reset;
            if (next.State == StageState.Dispatched)
            {
                ready.Add(next);
            }

            changes.Stages.Add(next);
            changes.Events.Add(StageEvent(next));
        }

        changes.Job = changes.Job with { Progress = JobPlanner.OverallProgress(Merged(snapshot.Stages, changes.Stages)) };
        return new Decision(changes.Job, changes,
        [
            Dispatch(changes.Job, ready),
            new LogNote(LogLevel.Information, "Job {JobId} retried: {Stages} stages run again", job.Id, changes.Stages.Count),
        ]);
    }

    private Decision Apply(JobSnapshot snapshot, StageEvent stageEvent, DecisionTime time)
    {
        var job = snapshot.Job;
        var stage = snapshot.Stage(stageEvent.StageId);
        if (stage is null || job.IsTerminal || stage.IsTerminal || stage.State == StageState.Waiting || stage.Attempt != stageEvent.Attempt
            || (stageEvent.EventCase == Protos.V1.StageEvent.EventOneofCase.Started && stage.State == StageState.Running && stage.WorkerId == stageEvent.WorkerId))
        {
            var ignored = new LogNote(LogLevel.Debug, "Ignored {EventCase} for stage {StageId} attempt {Attempt} (stale or finished)", stageEvent.EventCase, stageEvent.StageId, stageEvent.Attempt);
            if (stageEvent.Completed is { Outputs.Count: > 0 } late)
            {
                return Decision.None(job, ignored, new DiscardOutputs(job, [.. late.Outputs.Select(o => o.Key)]));
            }

            // A run still going that nothing will accept: a later attempt replaced it, its stage already ended (a dispatch
            // delivered twice), or its job did. Stopping it frees its worker. (A parked stage's run of the same attempt
            // and a repeated "started" of the current run are not stale.)
            var alive = stageEvent.EventCase is Protos.V1.StageEvent.EventOneofCase.Started or Protos.V1.StageEvent.EventOneofCase.Progress;
            return alive && stage is not null && (stageEvent.Attempt < stage.Attempt || stage.IsTerminal || job.IsTerminal)
                ? Decision.None(job, ignored, new StopStaleRun(job, stage.Id, stageEvent.Attempt))
                : Decision.None(job, ignored);
        }

        var now = time.Now;
        var lease = now.AddSeconds(settings.LeaseSeconds);
        return stageEvent.EventCase switch
        {
            Protos.V1.StageEvent.EventOneofCase.Started => Started(job, stage with { State = StageState.Running, WorkerId = stageEvent.WorkerId, StartedAt = stage.StartedAt ?? now, LeaseExpiresAt = lease }, now),
            Protos.V1.StageEvent.EventOneofCase.Progress => Progressed(snapshot, stage with { State = StageState.Running, WorkerId = stageEvent.WorkerId, Progress = stageEvent.Progress.Fraction, LeaseExpiresAt = lease }, stageEvent.Progress, now),
            Protos.V1.StageEvent.EventOneofCase.Completed => Completed(snapshot, stage, stageEvent.Completed, now),
            Protos.V1.StageEvent.EventOneofCase.Failed => Failed(snapshot, stage, stageEvent.Failed.Error ?? new JobError { Code = "unknown", Message = "The worker reported a failure without details.", Retryable = true }, time, retryNow: false),
            _ => Decision.None(job),
        };
    }

    private static Decision Started(JobRecord job, StageRecord stage, DateTimeOffset now)
    {
        var changes = new JobChanges(job with { UpdatedAt = now });
        if (job.State == JobState.Queued)
        {
            changes.Job = changes.Job with { State = JobState.Running };
            changes.Events.Add(StateEvent(JobState.Running));
        }

        changes.Stages.Add(stage);
        changes.Events.Add(StageEvent(stage));
        return new Decision(changes.Job, changes, []);
    }

    private static Decision Progressed(JobSnapshot snapshot, StageRecord stage, StageProgress progress, DateTimeOffset now)
    {
        var overall = JobPlanner.OverallProgress(Merged(snapshot.Stages, [stage]));
        var changes = new JobChanges(snapshot.Job with { Progress = overall, UpdatedAt = now });
        changes.Stages.Add(stage);
        changes.Events.Add(NewEvent(e => e.Progress = new JobProgress
        {
            Progress = overall,
            StageId = stage.Id,
            StageProgress = stage.Progress,
            Speed = progress.Speed,
            Fps = progress.Fps,
        }));
        return new Decision(changes.Job, changes, []);
    }

    private Decision Completed(JobSnapshot snapshot, StageRecord stage, StageCompleted completed, DateTimeOffset now)
    {
        var job = snapshot.Job;
        var done = stage with { State = StageState.Succeeded, Progress = 1, FinishedAt = now, LeaseExpiresAt = null, Error = null };
        if (completed.MediaInfo is not null)
        {
            job = job with { SourceInfo = completed.MediaInfo };
        }

        if (completed.Warnings.Count > 0 || completed.CaptionConfidence is not null)
        {
            // A stage run again (a retry, a revision's analysis) replaces what it said before rather than repeating it;
            // warnings about different outputs are kept side by side.
            var findings = job.Findings?.Clone() ?? new JobFindings();
            var said = completed.Warnings.Select(w => (w.Code, w.Subject)).ToHashSet();
            var kept = findings.Warnings.Where(w => !said.Contains((w.Code, w.Subject))).ToList();
            findings.Warnings.Clear();
            findings.Warnings.Add(kept);
            findings.Warnings.Add(completed.Warnings);
            findings.CaptionConfidence = completed.CaptionConfidence ?? findings.CaptionConfidence;
            job = job with { Findings = findings };
        }

        List<StageRecord> chunks = [];
        if (done.Kind == StageKind.Probe)
        {
            chunks = [.. ChunkAnalysis(snapshot, job, done), .. ChunkRenders(snapshot, job)];
            chunks.AddRange(GroupVariants(snapshot, job, chunks));
        }

        // The variants this stage's ffmpeg made are done with it. One whose video is not among its outputs (a worker of an
        // earlier release ignores the variants it was sent) is rendered by a stage of its own instead: never a job that
        // succeeds without an output.
        var variants = snapshot.Stages.Where(s => s.RenderedBy == done.Id && !s.IsTerminal)
            .Select(s => completed.Outputs.Any(o => o.Kind == OutputKind.Video && o.Name == s.OutputName + ".mp4")
                ? s with { State = StageState.Succeeded, Progress = 1, StartedAt = done.StartedAt, FinishedAt = now, WorkerId = done.WorkerId, LeaseExpiresAt = null, Error = null }
                : s with { RenderedBy = string.Empty, DependsOn = done.DependsOn })
            .ToList();
        var stages = Merged(snapshot.Stages, [done, .. variants, .. chunks]);
        var changes = new JobChanges(job with { UpdatedAt = now, Progress = JobPlanner.OverallProgress(stages) });
        changes.Stages.Add(done);
        changes.Outputs.AddRange(completed.Outputs);
        changes.Events.Add(StageEvent(done));
        foreach (var variant in variants.Where(v => v.State == StageState.Succeeded))
        {
            changes.Stages.Add(variant);
            changes.Events.Add(StageEvent(variant));
        }

        var succeeded = Succeeded(stages);
        var ready = stages.Where(s => s.State == StageState.Waiting && s.Attempt == 0 && s.RenderedBy.Length == 0 && s.DependsOn.All(succeeded.Contains))
            .Select(s => Dispatched(s, now))
            .ToList();
        foreach (var next in ready)
        {
            changes.Stages.Add(next);
            changes.Events.Add(StageEvent(next));
        }

        // New stages that wait (the analyze stage, now waiting for its chunks) are stored as they are.
        changes.Stages.AddRange(chunks.Where(c => ready.All(r => r.Id != c.Id)));
        changes.Stages.AddRange(variants.Where(v => v.State != StageState.Succeeded && ready.All(r => r.Id != v.Id)));
        var effects = new List<JobEffect> { Dispatch(changes.Job, ready) };
        if (chunks.Any(c => c.Kind == StageKind.AnalyzeChunk))
        {
            effects.Add(new LogNote(LogLevel.Information, "Job {JobId}: the {Duration} s source is analysed in {Chunks} chunks", job.Id, Math.Round(job.SourceInfo!.DurationSeconds, 1), chunks.Count(c => c.Kind == StageKind.AnalyzeChunk)));
        }

        if (chunks.FirstOrDefault(c => c.Kind == StageKind.Render && c.Variants.Count > 0) is { } lead)
        {
            effects.Add(new LogNote(LogLevel.Information, "Job {JobId}: {Outputs} outputs share one decode ({Stage})", job.Id, chunks.Count(c => c.Kind == StageKind.Render && c.Variants.Count > 0) + chunks.Count(c => c.RenderedBy.Length > 0), lead.Id));
        }

        if (chunks.Any(c => c.Kind == StageKind.RenderChunk))
        {
            effects.Add(new LogNote(LogLevel.Information, "Job {JobId}: {Outputs} outputs of the {Duration} s source are rendered in {Parts} parts ({Shared} of them by another output's parts, from the same decodes)", job.Id, chunks.Count(c => c.Kind == StageKind.Render), Math.Round(job.SourceInfo!.DurationSeconds, 1), chunks.Count(c => c.Kind == StageKind.RenderChunk), chunks.Count(c => c.Kind == StageKind.Render && c.DependsOn.Any(d => !Media.Pipelines.Render.RenderChunks.IsPartOf(c.Id, d) && Media.Pipelines.Render.RenderChunks.IsVideoPart(d)))));
        }

        if (stages.All(s => succeeded.Contains(s.Id) || Superseded(s, stages)))
        {
            var outputs = snapshot.Outputs.Where(o => completed.Outputs.All(c => c.Name != o.Name)).Concat(completed.Outputs).ToList();
            changes.Job = changes.Job with { State = JobState.Succeeded, Progress = 1, FinishedAt = now };
            changes.Events.Add(NewEvent(e => e.Result = new JobResult
            {
                Outputs = { outputs },
                SourceInfo = changes.Job.SourceInfo,
                Warnings = { changes.Job.Findings?.Warnings ?? [] },
                CaptionConfidence = changes.Job.Findings?.CaptionConfidence,
            }));
            changes.Events.Add(StateEvent(JobState.Succeeded));
            effects.Add(new JobFinished(changes.Job));
            effects.Add(new LogNote(LogLevel.Information, "Job {JobId} succeeded with {OutputCount} outputs", job.Id, outputs.Count));
        }

        return new Decision(changes.Job, changes, effects);
    }

    // Once the probe tells how long the source is: a long source's analysis becomes chunk stages (after the probe, run by any
    // worker in parallel) that the analyze stage waits for and merges. Returned: the chunks, then the analyze stage rewired.
    private List<StageRecord> ChunkAnalysis(JobSnapshot snapshot, JobRecord job, StageRecord probe)
    {
        var analyze = snapshot.Stages.FirstOrDefault(s => s.Kind == StageKind.Analyze && s.State == StageState.Waiting && s.Attempt == 0);
        if (analyze is null || job.SourceInfo is not { } source || snapshot.Stages.Any(s => s.Kind == StageKind.AnalyzeChunk))
        {
            return [];
        }

        var ranges = Media.Pipelines.Analysis.AnalysisChunks.Ranges(source.DurationSeconds, settings.AnalysisChunkAfterSeconds, settings.AnalysisChunkSeconds);
        if (ranges.Count == 0)
        {
            return [];
        }

        var chunks = ranges.Select((r, i) => new StageRecord
        {
            Id = Media.Pipelines.Analysis.AnalysisChunks.PartStageId(analyze.Id, i + 1),
            JobId = job.Id,
            Kind = StageKind.AnalyzeChunk,
            DependsOn = [probe.Id],
            RangeStart = r.Start,
            RangeEnd = r.End,
            Pool = analyze.Pool,
        }).ToList();
        return [.. chunks, analyze with { DependsOn = [.. chunks.Select(c => c.Id)] }];
    }

    // Once the probe tells how long the source is: the first render of each output that is one edit and may be long
    // becomes video parts of the edit in output time and one sound stage (after what the render waited for, run by any
    // workers in parallel) that the render stage waits for and joins by stream copy, with the intro and outro, if any,
    // around it. Outputs of one edit in several shapes share the video parts (one decode per range, the first output's
    // parts render the others' too), each with its own sound and join. Only for patterns whose outputs are one edit each
    // (no fan-out clips); a revision is split when it is asked for (see Revise). The worker's plan decides the rest (a part of a plan that cannot be split renders nothing and the
    // render stage renders in one piece). Returned: the parts, then the render stages rewired.
    private List<StageRecord> ChunkRenders(JobSnapshot snapshot, JobRecord job)
    {
        if (job.SourceInfo is not { } source || snapshot.Stages.Any(s => s.Kind == StageKind.RenderChunk))
        {
            return [];
        }

        var renders = snapshot.Stages.Where(s => s.Kind == StageKind.Render && s.State == StageState.Waiting && s.Attempt == 0 && s.Revision == 1 && s.Clip == 0).ToList();
        if (renders.Count == 0 || PatternOf(job) is not { Steps.RendersInParts: true } pattern)
        {
            return [];
        }

        var parted = new List<(StageRecord Render, double Length, List<StageRecord> Parts)>();
        // In the pattern's order, so its first output of a group of variants leads it.
        foreach (var (output, render) in pattern.Outputs.SelectMany(o => renders.Where(r => r.PatternOutput == o.Name).Select(r => (o, r))))
        {
            if (Copied(pattern.Steps, output, source))
            {
                continue;
            }

            // The output's longest length: the source (or its trim) at the pattern's speed, cut at its preset's limit (a
            // Reels output of an hour is 3 minutes). Cuts only shorten it; a part that begins after the real end renders
            // nothing.
            var kept = pattern.Steps.Trim is { } trim
                ? Math.Max(0, Math.Min(source.DurationSeconds, trim.EndSeconds ?? source.DurationSeconds) - trim.StartSeconds)
                : source.DurationSeconds;
            var length = Math.Min(kept / pattern.Steps.Speed, output.Preset.MaxDurationSeconds);
            var parts = PartsOf(render, length);
            if (parts.Count > 0)
            {
                parted.Add((render, length, parts));
            }
        }

        // Outputs of one edit share their video parts: the first output's part renders the same range of the others from
        // one decode. Each keeps its own sound (its preset's encoder) and its own join.
        var batches = settings.RenderVariantsTogether ? OneEdit(parted, p => p.Render, p => p.Length) : parted.Select(p => new[] { p });
        var stages = new List<StageRecord>();
        foreach (var batch in batches)
        {
            var (lead, others) = (batch[0], batch[1..]);
            var videos = lead.Parts.Where(p => !Media.Pipelines.Render.RenderChunks.IsSound(p.Id))
                .Select(p => p with { Variants = [.. others.Select(o => o.Render.PatternOutput)] })
                .ToList();
            stages.AddRange([.. videos, .. lead.Parts.Where(p => Media.Pipelines.Render.RenderChunks.IsSound(p.Id))]);
            stages.Add(lead.Render with { DependsOn = [.. lead.Parts.Select(p => p.Id)] });
            foreach (var other in others)
            {
                var sound = other.Parts.Single(p => Media.Pipelines.Render.RenderChunks.IsSound(p.Id));
                stages.Add(sound);
                stages.Add(other.Render with { DependsOn = [.. videos.Select(v => v.Id), sound.Id] });
            }
        }

        return stages;
    }

    // The stages that render a render stage's output of this length in parts: its video parts and its sound, each waiting
    // for what the render stage waited for and rendering the same revision of the same plan. None when it is not long
    // enough to split (the farm's threshold, or fewer than two parts).
    private List<StageRecord> PartsOf(StageRecord render, double length)
    {
        var ranges = Media.Pipelines.Render.RenderChunks.Ranges(length, settings.RenderChunkAfterSeconds, settings.RenderChunkSeconds);
        if (ranges.Count == 0)
        {
            return [];
        }

        var parts = ranges.Select((r, i) => new StageRecord
        {
            Id = Media.Pipelines.Render.RenderChunks.PartStageId(render.Id, i + 1),
            JobId = render.JobId,
            Kind = StageKind.RenderChunk,
            OutputName = render.OutputName,
            PatternOutput = render.PatternOutput,
            Clip = render.Clip,
            Revision = render.Revision,
            PlanKey = render.PlanKey,
            DependsOn = render.DependsOn,
            RangeStart = r.Start,
            RangeEnd = r.End,
            Pool = render.Pool,
        }).ToList();
        // The sound is encoded on a CPU worker whichever pool encodes the picture.
        parts.Add(parts[0] with { Id = Media.Pipelines.Render.RenderChunks.SoundStageId(render.Id), RangeStart = 0, RangeEnd = length, Pool = Media.Platform.Bus.Topics.CpuPool });
        return parts;
    }

    /// <summary>The most outputs one render stage makes from one decode (each with its own encoder in the same process).</summary>
    public const int MaxOutputsPerRender = 4;

    // Once the probe tells how long the source is: the first renders of a pattern's outputs (not fan-out clips, which cut
    // different pieces; not outputs rendered in parts or stream-copied) that wait for the same stages, run on the same
    // pool and last as long (the source cut at the same limit) are one edit in several shapes: the first of them renders
    // them all in one ffmpeg (one decode, one encoder per output), and the others' stages wait for it and succeed with
    // it. Returned: the stages rewired (each group's first with its variants, the others rendered by it).
    private List<StageRecord> GroupVariants(JobSnapshot snapshot, JobRecord job, IReadOnlyList<StageRecord> chunks)
    {
        if (!settings.RenderVariantsTogether || job.SourceInfo is not { } source || snapshot.Stages.Any(s => s.Variants.Count > 0 || s.RenderedBy.Length > 0))
        {
            return [];
        }

        var split = chunks.Where(c => c.Kind == StageKind.Render).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var renders = snapshot.Stages
            .Where(s => s.Kind == StageKind.Render && s.State == StageState.Waiting && s.Attempt == 0 && s.Revision == 1 && s.Clip == 0 && !split.Contains(s.Id))
            .ToList();
        if (renders.Count < 2 || PatternOf(job) is not { } pattern)
        {
            return [];
        }

        var stages = new List<StageRecord>();
        // In the pattern's order, so its first output of a group leads it (the store lists stages by id).
        var outputs = pattern.Outputs
            .Where(o => !Copied(pattern.Steps, o, source))
            .SelectMany(o => renders.Where(r => r.PatternOutput == o.Name).Select(r => (Render: r, Output: o)));
        foreach (var batch in OneEdit(outputs, r => r.Render, r => Math.Min(source.DurationSeconds, r.Output.Preset.MaxDurationSeconds)).Where(b => b.Length > 1))
        {
            var (lead, others) = (batch[0].Render, batch.Skip(1).Select(g => g.Render).ToList());
            stages.Add(lead with { Variants = [.. others.Select(o => o.PatternOutput)] });
            stages.AddRange(others.Select(o => o with { RenderedBy = lead.Id, DependsOn = [lead.Id] }));
        }

        return stages;
    }

    // Renders that are one edit in several shapes (same pool, as long, after the same stages), in the order given, at most
    // MaxOutputsPerRender to one ffmpeg: one stage slot holds its encoders (and a GPU its NVENC sessions).
    private static IEnumerable<T[]> OneEdit<T>(IEnumerable<T> renders, Func<T, StageRecord> render, Func<T, double> length) =>
        renders.GroupBy(r => (render(r).Pool, Length: length(r), After: string.Join('\n', render(r).DependsOn))).SelectMany(g => g.Chunk(MaxOutputsPerRender));

    // Whether the planner will copy the streams (RenderPlanner.CanCopy's test on what the probe said): that takes seconds
    // in one piece, so it is not split.
    private static bool Copied(Media.Pipelines.Patterns.Steps.EditSteps steps, Media.Pipelines.Patterns.PatternOutput output, MediaInfo source) =>
        steps.IsPlain && source.VideoCodec == "h264" && source.Rotation == 0 && source.Width == output.Width && source.Height == output.Height
        && Math.Abs(source.FrameRate - output.Preset.FrameRate) < 0.01 && source.AudioCodec == "aac" && source.DurationSeconds <= output.Preset.MaxDurationSeconds;

    // The pattern the job was submitted with (null if it no longer parses: then nothing is split).
    private static Media.Pipelines.Patterns.Pattern? PatternOf(JobRecord job)
    {
        var own = new Dictionary<string, Media.Pipelines.Thumbnails.Templates.ThumbnailTemplate>(StringComparer.Ordinal);
        foreach (var (name, document) in job.Templates)
        {
            if (Media.Pipelines.Thumbnails.Templates.ThumbnailTemplateParser.Parse(document).Template is { } template)
            {
                own[name] = template;
            }
        }

        return Media.Pipelines.Patterns.PatternParser.Parse(job.PatternDocument, own).Pattern;
    }

    private Decision Failed(JobSnapshot snapshot, StageRecord stage, JobError error, DecisionTime time, bool retryNow)
    {
        var job = snapshot.Job;
        var now = time.Now;
        if (error.Code == StageErrorCodes.WorkerStopping)
        {
            // A graceful shutdown hands the stage back; that is not the stage's fault.
            return Redispatch(job, stage, now, new LogNote(LogLevel.Information, "Stage {StageId} handed back by a stopping worker; dispatching it again", stage.Id));
        }

        var failures = stage.Failures + 1;
        var changes = new JobChanges(job with { UpdatedAt = now });
        if (error.Retryable && failures < settings.MaxAttempts)
        {
            changes.Events.Add(StageEvent(stage with { State = StageState.Failed, Error = error }));
            var retryAt = retryNow ? now : now + Backoff(failures, time.Jitter);
            var waiting = stage with { State = StageState.Waiting, Failures = failures, Error = error, LeaseExpiresAt = retryAt, Progress = 0 };
            var effects = new List<JobEffect>
            {
                new StageFailed(stage, error, WillRetry: true),
                new LogNote(LogLevel.Warning, "Stage {StageId} failed ({Code}: {Message}); retry {Failures}/{Max} at {RetryAt}", stage.Id, error.Code, error.Message, failures, settings.MaxAttempts - 1, retryAt),
            };
            if (retryNow)
            {
                // A silent worker's stage goes to another worker at once (the failure is counted all the same).
                var again = Dispatched(waiting, now);
                changes.Stages.Add(again);
                changes.Events.Add(StageEvent(again));
                effects.Add(Dispatch(changes.Job, [again]));
            }
            else
            {
                changes.Stages.Add(waiting);
            }

            return new Decision(changes.Job, changes, effects);
        }

        var failed = stage with { State = StageState.Failed, Failures = failures, Error = error, FinishedAt = now, LeaseExpiresAt = null };
        changes.Stages.Add(failed);
        changes.Events.Add(StageEvent(failed));
        foreach (var other in snapshot.Stages.Where(s => s.Id != stage.Id && !s.IsTerminal))
        {
            var cancelled = other with { State = StageState.Cancelled, FinishedAt = now, LeaseExpiresAt = null };
            changes.Stages.Add(cancelled);
            changes.Events.Add(StageEvent(cancelled));
        }

        var jobError = error.Clone();
        changes.Job = changes.Job with { State = JobState.Failed, FinishedAt = now, Error = jobError };
        changes.Events.Add(NewEvent(e => e.StateChanged = new JobStateChanged { State = JobState.Failed, Error = jobError }));
        var finalEffects = new List<JobEffect>
        {
            new StageFailed(stage, error, WillRetry: false),
            new StopWork(job.Id),
            new JobFinished(changes.Job),
            new LogNote(LogLevel.Warning, "Job {JobId} failed in stage {StageId}: {Code}: {Message}", job.Id, stage.Id, error.Code, error.Message),
        };
        if (error.Retryable)
        {
            finalEffects.Add(new SendDeadLetter(new DeadLetter { JobId = job.Id, Tenant = job.Tenant, StageId = stage.Id, Kind = stage.Kind, Failures = failures, Error = jobError, FailedAt = Timestamp.FromDateTimeOffset(now) }));
        }

        return new Decision(changes.Job, changes, finalEffects);
    }

    private Decision Sweep(JobSnapshot snapshot, string stageId, DecisionTime time)
    {
        var job = snapshot.Job;
        var stage = snapshot.Stage(stageId);
        var now = time.Now;
        if (stage is null || job.IsTerminal || stage.LeaseExpiresAt is not { } expiry || expiry > now)
        {
            return Decision.None(job);
        }

        if (stage.State == StageState.Waiting)
        {
            return Redispatch(job, stage, now, new LogNote(LogLevel.Information, "Retrying stage {StageId} (failure {Failures})", stage.Id, stage.Failures));
        }

        if (stage.State == StageState.Dispatched)
        {
            // Still queued: the worker acknowledges a dispatch only after reporting it started, so a message taken by a
            // worker that died comes back by itself. Waiting in line is not a failure.
            var renewed = new JobChanges(job) { Stages = { stage with { LeaseExpiresAt = now.AddSeconds(settings.LeaseSeconds) } } };
            return new Decision(job, renewed, []);
        }

        if (stage.IsActive)
        {
            var error = new JobError { Code = "lease_expired", Message = $"Worker '{stage.WorkerId}' stopped reporting for {settings.LeaseSeconds} s.", Retryable = true };
            var decision = Failed(snapshot, stage, error, time, retryNow: true);
            return decision with
            {
                Effects = [new LogNote(LogLevel.Warning, "Lease of stage {StageId} attempt {Attempt} expired (worker {WorkerId} silent)", stage.Id, stage.Attempt, stage.WorkerId), .. decision.Effects],
            };
        }

        return Decision.None(job);
    }

    private Decision Recover(JobSnapshot snapshot, string stageId, DateTimeOffset now)
    {
        var job = snapshot.Job;
        return snapshot.Stage(stageId) is { IsActive: true } stage && !job.IsTerminal
            ? Redispatch(job, stage, now, new LogNote(LogLevel.Information, "Recovering stage {StageId} of job {JobId} after restart", stage.Id, job.Id))
            : Decision.None(job);
    }

    // The stage's state is already right (dispatched, this attempt, under a lease the sweep renews): only the message is
    // missing. Nothing changes in the store; the dispatch goes out again. Should the first one have gone out after all
    // (the publisher died after the bus took it, before it said so), two workers may run the attempt: outputs have
    // deterministic keys, the first completion wins and the later one is ignored as stale. Wasted work, never a lost job.
    private static Decision Republish(JobSnapshot snapshot, RepublishDispatch republish)
    {
        var job = snapshot.Job;
        return !job.IsTerminal && snapshot.Stage(republish.StageId) is { State: StageState.Dispatched } stage && stage.Attempt == republish.Attempt
            ? Decision.None(job, Dispatch(job, [stage]), new LogNote(LogLevel.Warning, "Publishing stage {StageId} attempt {Attempt} again: its dispatch was committed but never confirmed on the bus", stage.Id, stage.Attempt))
            : Decision.None(job);
    }

    private static Decision Park(JobSnapshot snapshot, ParkStage park, DateTimeOffset now)
    {
        var job = snapshot.Job;
        if (job.IsTerminal || snapshot.Stage(park.StageId) is not { } stage || stage.Attempt != park.Attempt || stage.State != StageState.Dispatched)
        {
            return Decision.None(job);
        }

        // A due retry, not a failure: the sweep publishes it again in 2 s.
        var parked = new JobChanges(job) { Stages = { stage with { State = StageState.Waiting, LeaseExpiresAt = now.AddSeconds(2) } } };
        return new Decision(job, parked, []);
    }

    // A revision renders from a stored plan: nothing waits for it, so it (or, when long, its parts) is dispatched at once,
    // and the job runs again until it is rendered (then succeeds again, with every revision's outputs, and its webhook
    // fires again). It is made from the output's newest rendered revision, one revision of an output at a time.
    private Decision Revise(JobSnapshot snapshot, ReviseOutput revise, DateTimeOffset now)
    {
        var job = snapshot.Job;
        var subject = $"jobs/{job.Id}/outputs/{revise.Output}";
        if (job.State is not (JobState.Succeeded or JobState.Running or JobState.Failed))
        {
            throw new PreconditionFailedException($"Job {job.Id} is {job.State.ToString().ToUpperInvariant()}; only outputs that were rendered can be revised.", "JOB_NOT_RENDERED", subject);
        }

        var first = snapshot.Stages.FirstOrDefault(s => s.Kind == StageKind.Render && s.Revision == 1 && s.OutputName == revise.Output)
            ?? throw new ResourceNotFoundException("output", $"{job.Id}/{revise.Output}");
        var revisions = snapshot.Stages.Where(s => s.Kind == StageKind.Render && s.PatternOutput == first.PatternOutput && s.Clip == first.Clip).ToList();
        var newest = revisions.Where(s => s.State == StageState.Succeeded).Select(s => s.Revision).DefaultIfEmpty(0).Max();
        if (newest == 0)
        {
            throw new PreconditionFailedException($"Output {revise.Output} of job {job.Id} has not been rendered; there is nothing to revise.", "OUTPUT_NOT_RENDERED", subject);
        }

        if (revisions.FirstOrDefault(s => !s.IsTerminal) is { } running)
        {
            throw new PreconditionFailedException($"Revision {running.Revision} of {revise.Output} is still being rendered; revise it once it is done.", "REVISION_IN_PROGRESS", subject);
        }

        if (revise.BaseRevision != newest)
        {
            throw new PreconditionFailedException($"The edit was made from revision {revise.BaseRevision} of {revise.Output}, but its newest revision is {newest}: get the plan again and re-apply the edit.", "STALE_REVISION", subject);
        }

        var number = revisions.Max(s => s.Revision) + 1;
        var stage = first with
        {
            Id = $"{job.Id}.render.{revise.Output}.r{number}",
            OutputName = $"{revise.Output}.r{number}",
            Revision = number,
            PlanKey = revise.PlanKey,
            DependsOn = [],
            // A revision is its own render, whether the first render made variants or was one.
            Variants = [],
            RenderedBy = string.Empty,
            State = StageState.Waiting,
            Attempt = 0,
            Failures = 0,
            Progress = 0,
            WorkerId = string.Empty,
            Error = null,
            LeaseExpiresAt = null,
            StartedAt = null,
            FinishedAt = null,
        };
        // A long revision (a corrected caption on a 40-minute edit) renders in parts like the first render: the parts go
        // out at once and the revision's render stage joins them.
        var parts = PartsOf(stage, revise.SplittableSeconds);
        List<StageRecord> dispatched = parts.Count > 0 ? [.. parts.Select(p => Dispatched(p, now))] : [Dispatched(stage, now)];
        var changes = new JobChanges(job with { State = JobState.Running, Error = null, FinishedAt = null, UpdatedAt = now });
        if (job.State != JobState.Running)
        {
            changes.Events.Add(StateEvent(JobState.Running));
        }

        foreach (var next in dispatched)
        {
            changes.Stages.Add(next);
            changes.Events.Add(StageEvent(next));
        }

        if (parts.Count > 0)
        {
            changes.Stages.Add(stage with { DependsOn = [.. parts.Select(p => p.Id)] });
        }

        changes.Job = changes.Job with { Progress = JobPlanner.OverallProgress([.. snapshot.Stages, .. changes.Stages]) };

        // The parts of the revision before this one if it was never joined (a part failed for good, it was cancelled): this
        // revision supersedes it, so no retry will join them either. (Those of earlier ones went when it was made; a part
        // still running when its revision failed may upload after this: the job's folder takes it with it in the end.)
        var unjoined = snapshot.Stages
            .Where(s => s.Kind == StageKind.RenderChunk && s.PatternOutput == first.PatternOutput && s.Clip == first.Clip && s.Revision == number - 1
                && revisions.Any(r => r.Revision == s.Revision && r.State != StageState.Succeeded))
            .Select(s => s.Id)
            .ToList();
        return new Decision(changes.Job, changes,
        [
            Dispatch(changes.Job, dispatched),
            parts.Count > 0
                ? new LogNote(LogLevel.Information, "Job {JobId}: revision {Revision} of {Output} ({Length} s) dispatched in {Parts} parts and its sound", job.Id, number, revise.Output, Math.Round(revise.SplittableSeconds, 1), parts.Count - 1)
                : new LogNote(LogLevel.Information, "Job {JobId}: revision {Revision} of {Output} dispatched", job.Id, number, revise.Output),
            // After the dispatch: slow storage must not hold the new revision back.
            .. unjoined.Count > 0 ? [new DiscardRenderParts(changes.Job, unjoined)] : Array.Empty<JobEffect>(),
        ]);
    }

    private Decision Redispatch(JobRecord job, StageRecord stage, DateTimeOffset now, LogNote note)
    {
        var dispatched = Dispatched(stage, now);
        var changes = new JobChanges(job with { UpdatedAt = now });
        changes.Stages.Add(dispatched);
        changes.Events.Add(StageEvent(dispatched));
        return new Decision(changes.Job, changes, [note, Dispatch(changes.Job, [dispatched])]);
    }

    private StageRecord Dispatched(StageRecord stage, DateTimeOffset now) => stage with
    {
        State = StageState.Dispatched,
        Attempt = stage.Attempt + 1,
        Progress = 0,
        WorkerId = string.Empty,
        LeaseExpiresAt = now.AddSeconds(settings.LeaseSeconds),
    };

    /// <summary>Exponential from the base delay, capped at 60 s, spread by ±20 % so retries of many stages do not arrive together.</summary>
    private TimeSpan Backoff(int failures, double jitter)
    {
        var exponential = TimeSpan.FromMilliseconds(settings.RetryBaseDelayMilliseconds) * Math.Pow(2, failures - 1);
        var capped = exponential > TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(60) : exponential;
        return capped * (0.8 + 0.4 * jitter);
    }

    // A revision that failed or was cancelled, made obsolete by a later revision of the same output: it no longer keeps
    // the job from succeeding, and a retry does not run it again.
    private static bool Superseded(StageRecord stage, IReadOnlyList<StageRecord> stages) =>
        stage.Revision > 1 && stage.IsTerminal && stage.State != StageState.Succeeded
        && stages.Any(s => s.Kind == StageKind.Render && s.PatternOutput == stage.PatternOutput && s.Clip == stage.Clip && s.Revision > stage.Revision);

    private static HashSet<string> Succeeded(IEnumerable<StageRecord> stages) =>
        stages.Where(s => s.State == StageState.Succeeded).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

    // What goes out at once goes out with each chunked output's sound first: the sound stage encodes the output's whole
    // length (47 s for 20 minutes, against 18-19 s for a 30 s video part on bench-scale --render), the longest piece of
    // the render; published after the parts, it would start when they end and run on alone. Workers take stages in the
    // order they are published (the store lists stages by id, which puts the sound last).
    private static DispatchStages Dispatch(JobRecord job, IEnumerable<StageRecord> stages) =>
        new(job, [.. stages.OrderBy(s => !Media.Pipelines.Render.RenderChunks.IsSound(s.Id))]);

    // The stages with the changed ones in place, and stages new to the job (analysis chunks) at the end.
    private static List<StageRecord> Merged(IReadOnlyList<StageRecord> stages, IReadOnlyList<StageRecord> changed) =>
        [.. stages.Select(s => changed.FirstOrDefault(c => c.Id == s.Id) ?? s), .. changed.Where(c => stages.All(s => s.Id != c.Id))];

    private static JobEvent NewEvent(Action<JobEvent> fill)
    {
        var jobEvent = new JobEvent();
        fill(jobEvent);
        return jobEvent;
    }

    private static JobEvent StateEvent(JobState state) => NewEvent(e => e.StateChanged = new JobStateChanged { State = state });

    private static JobEvent StageEvent(StageRecord stage) => NewEvent(e => e.StageChanged = new StageChanged
    {
        StageId = stage.Id,
        Kind = stage.Kind,
        State = stage.State,
        Attempt = stage.Attempt,
        OutputName = stage.OutputName,
        WorkerId = stage.WorkerId,
        Error = stage.Error,
    });
}
