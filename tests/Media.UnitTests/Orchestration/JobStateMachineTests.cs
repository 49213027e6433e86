using Media.JobApi.Errors;
using Media.JobApi.Orchestration.Machine;
using Media.JobApi.Store;
using Media.Protos.V1;

namespace Media.UnitTests.Orchestration;

/// <summary>The job state machine as a pure function, table by table: no store, no bus, no clock.</summary>
public sealed class JobStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly JobStateMachine Machine = new(new MachineSettings(LeaseSeconds: 30, MaxAttempts: 3, RetryBaseDelayMilliseconds: 1000));

    private static JobRecord Job(JobState state = JobState.Running, bool held = false) => new()
    {
        Id = "job_1",
        Tenant = "acme",
        PatternName = "reframe-vertical",
        PatternDocument = "doc",
        SourceKey = "k",
        State = state,
        Held = held,
        WebhookUrl = "https://example.invalid/hook",
        CreatedAt = Now.AddMinutes(-5),
        UpdatedAt = Now.AddMinutes(-1),
    };

    private static StageRecord Stage(string name, StageKind kind, StageState state, int attempt = 1, int failures = 0, DateTimeOffset? lease = null, string worker = "w1", params string[] dependsOn) => new()
    {
        Id = "job_1." + name,
        JobId = "job_1",
        Kind = kind,
        State = state,
        Attempt = attempt,
        Failures = failures,
        LeaseExpiresAt = lease,
        WorkerId = state is StageState.Running ? worker : string.Empty,
        OutputName = kind == StageKind.Render ? name : string.Empty,
        DependsOn = [.. dependsOn.Select(d => "job_1." + d)],
    };

    // probe (done) -> render (running) ; thumbnails (waiting after probe)
    private static JobSnapshot Running(StageState render = StageState.Running, int attempt = 1, int failures = 0, DateTimeOffset? lease = null) => new(
        Job(),
        [
            Stage("probe", StageKind.Probe, StageState.Succeeded),
            Stage("vertical", StageKind.Render, render, attempt, failures, lease ?? Now.AddSeconds(10), "w1", "probe"),
            Stage("thumbnails", StageKind.Thumbnail, StageState.Succeeded, dependsOn: "probe"),
        ],
        [new Output { Name = "cover.jpg", Kind = OutputKind.Thumbnail }]);

    private static StageEvent Event(string stage, int attempt, Action<StageEvent> fill, string worker = "w1")
    {
        var stageEvent = new StageEvent { JobId = "job_1", StageId = "job_1." + stage, Attempt = attempt, WorkerId = worker };
        fill(stageEvent);
        return stageEvent;
    }

    private static DecisionTime At(DateTimeOffset now, double jitter = 0.5) => new(now, jitter);

    [Theory]
    [InlineData(true, StageState.Dispatched, false)]
    [InlineData(false, StageState.Waiting, true)]
    public void Submit_DispatchesTheRootsOnlyWhenAdmitted(bool admit, StageState probeState, bool held)
    {
        var planned = new[]
        {
            Stage("probe", StageKind.Probe, StageState.Waiting, attempt: 0),
            Stage("vertical", StageKind.Render, StageState.Waiting, attempt: 0, dependsOn: "probe"),
        };

        var decision = Machine.Submit(Job(JobState.Queued, held), planned, admit, At(Now));

        Assert.Equal(probeState, decision.Changes!.Stages.Single(s => s.Kind == StageKind.Probe).State);
        Assert.Equal(StageState.Waiting, decision.Changes.Stages.Single(s => s.Kind == StageKind.Render).State);
        Assert.Equal(held, decision.Job.Held);
        Assert.Equal(admit ? 1 : 0, decision.Effects.OfType<DispatchStages>().Single().Stages.Count);
        Assert.Single(decision.Effects.OfType<JobAccepted>());
        Assert.Equal(JobState.Queued, decision.Changes.Events[0].StateChanged.State);
    }

    // event, attempt of the event, worker -> is it applied?
    [Theory]
    [InlineData("started", 1, "w2", true)]
    [InlineData("started", 1, "w1", false)] // the same worker saying it again
    [InlineData("progress", 1, "w1", true)]
    [InlineData("progress", 2, "w1", false)] // another attempt's heartbeat
    [InlineData("completed", 0, "w1", false)]
    [InlineData("failed", 1, "w1", true)]
    public void StageEvent_FromTheCurrentAttemptOnly_IsApplied(string kind, int attempt, string worker, bool applied)
    {
        var stageEvent = Event("vertical", attempt, e =>
        {
            switch (kind)
            {
                case "started": e.Started = new StageStarted(); break;
                case "progress": e.Progress = new StageProgress { Fraction = 0.5 }; break;
                case "completed": e.Completed = new StageCompleted(); break;
                default: e.Failed = new Protos.V1.StageFailed { Error = new JobError { Code = "x", Retryable = true } }; break;
            }
        }, worker);

        var decision = Machine.Decide(Running(), new ApplyStageEvent(stageEvent), At(Now));

        Assert.Equal(applied, decision.Changes is not null);
    }

    [Theory]
    [InlineData(0, StageState.Running, false)] // an earlier attempt finishing late
    [InlineData(1, StageState.Succeeded, false)] // a second run of the accepted attempt (a redelivered dispatch)
    [InlineData(1, StageState.Running, true)] // the current run: accepted
    public void Completed_Stale_ChangesNothingAndDiscardsItsRunsOutputs(int attempt, StageState render, bool accepted)
    {
        var completed = new StageCompleted { Outputs = { new Output { Name = "vertical.mp4", Key = "tenants/acme/jobs/job_1/outputs/runs/a1-x/vertical.mp4" } } };

        var decision = Machine.Decide(Running(render), new ApplyStageEvent(Event("vertical", attempt, e => e.Completed = completed)), At(Now));

        Assert.Equal(accepted, decision.Changes is not null);
        var discarded = decision.Effects.OfType<DiscardOutputs>().SingleOrDefault();
        Assert.Equal(accepted ? null : ["tenants/acme/jobs/job_1/outputs/runs/a1-x/vertical.mp4"], discarded?.Keys);
    }

    [Theory]
    [InlineData(0, StageState.Running, JobState.Running, true)] // an attempt a later one replaced
    [InlineData(1, StageState.Succeeded, JobState.Running, true)] // a second run of the attempt that succeeded
    [InlineData(1, StageState.Running, JobState.Running, false)] // the current run: applied, not stopped
    [InlineData(1, StageState.Running, JobState.Cancelled, true)] // a run its ended job does not need
    [InlineData(1, StageState.Waiting, JobState.Running, false)] // a parked stage's run of its current attempt
    public void Progress_OfARunNothingWillAccept_StopsThatRunOnly(int attempt, StageState render, JobState jobState, bool stopped)
    {
        var running = Running(render);
        var snapshot = running with { Job = running.Job with { State = jobState } };

        var decision = Machine.Decide(snapshot, new ApplyStageEvent(Event("vertical", attempt, e => e.Progress = new StageProgress { Fraction = 0.3 })), At(Now));

        var stop = decision.Effects.OfType<StopStaleRun>().SingleOrDefault();
        Assert.Equal(stopped, stop is not null);
        if (stop is not null)
        {
            Assert.Equal(("job_1", "job_1.vertical", attempt), (stop.JobId, stop.StageId, stop.UpToAttempt));
        }
        Assert.Empty(decision.Effects.OfType<StopWork>());
    }

    [Fact]
    public void Progress_RenewsTheLeaseAndReportsOverallProgress()
    {
        var decision = Machine.Decide(Running(), new ApplyStageEvent(Event("vertical", 1, e => e.Progress = new StageProgress { Fraction = 0.5, Speed = 2, Fps = 60 })), At(Now));

        var stage = decision.Changes!.Stages.Single();
        Assert.Equal((StageState.Running, 0.5, Now.AddSeconds(30)), (stage.State, stage.Progress, stage.LeaseExpiresAt));
        var progress = decision.Changes.Events.Single().Progress;
        // probe 1 + thumbnails 1 done, render 8 half done: (1 + 1 + 4) / 10.
        Assert.Equal((0.6, 0.5, 2.0, 60.0), (progress.Progress, progress.StageProgress, progress.Speed, progress.Fps));
        Assert.Empty(decision.Effects);
    }

    [Fact]
    public void Completed_LastStage_SucceedsWithEveryOutputAndFinishesTheJob()
    {
        var completed = new StageCompleted { Outputs = { new Output { Name = "vertical.mp4", Kind = OutputKind.Video } } };

        var decision = Machine.Decide(Running(), new ApplyStageEvent(Event("vertical", 1, e => e.Completed = completed)), At(Now));

        Assert.Equal((JobState.Succeeded, 1.0, Now), (decision.Job.State, decision.Job.Progress, decision.Job.FinishedAt));
        var result = decision.Changes!.Events.Single(e => e.Result is not null).Result;
        Assert.Equal(["cover.jpg", "vertical.mp4"], result.Outputs.Select(o => o.Name).Order());
        Assert.Equal(JobState.Succeeded, decision.Changes.Events[^1].StateChanged.State);
        Assert.Single(decision.Effects.OfType<JobFinished>());
    }

    [Fact]
    public void Completed_Probe_DispatchesWhatWaitedForIt()
    {
        var snapshot = new JobSnapshot(Job(), [
            Stage("probe", StageKind.Probe, StageState.Running),
            Stage("vertical", StageKind.Render, StageState.Waiting, attempt: 0, dependsOn: "probe"),
            Stage("thumbnails", StageKind.Thumbnail, StageState.Waiting, attempt: 0, dependsOn: "probe"),
        ], []);

        var decision = Machine.Decide(snapshot, new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = new MediaInfo { DurationSeconds = 9 } })), At(Now));

        Assert.Equal(9, decision.Job.SourceInfo!.DurationSeconds);
        Assert.Equal(["job_1.thumbnails", "job_1.vertical"], decision.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id).Order());
        Assert.All(decision.Effects.OfType<DispatchStages>().Single().Stages, s => Assert.Equal((StageState.Dispatched, 1, Now.AddSeconds(30)), (s.State, s.Attempt, s.LeaseExpiresAt)));
        Assert.Equal(JobState.Running, decision.Job.State);
    }

    [Fact]
    public void Completed_WarningsAndCaptionConfidence_KeptOnTheJob_OnceEach_AndInItsResult()
    {
        var warning = new JobWarning { Code = "low_caption_confidence", Message = "doubtful" };
        var confidence = new CaptionConfidence { Words = 40, Mean = 0.42, LowShare = 0.3, LowThreshold = 0.3, Recognizer = "pocketsphinx" };
        var snapshot = new JobSnapshot(Job() with { Findings = new JobFindings { Warnings = { new JobWarning { Code = "low_caption_confidence", Message = "an earlier attempt" } } } }, [
            Stage("probe", StageKind.Probe, StageState.Succeeded),
            Stage("analyze", StageKind.Analyze, StageState.Running, dependsOn: "probe"),
        ], []);

        var decision = Machine.Decide(snapshot, new ApplyStageEvent(Event("analyze", 1, e => e.Completed = new StageCompleted { Warnings = { warning }, CaptionConfidence = confidence })), At(Now));

        Assert.Equal([warning], decision.Job.Findings!.Warnings);
        Assert.Equal(confidence, decision.Job.Findings.CaptionConfidence);
        var result = decision.Changes!.Events.Single(e => e.EventCase == JobEvent.EventOneofCase.Result).Result;
        Assert.Equal([warning], result.Warnings);
        Assert.Equal(0.42, result.CaptionConfidence.Mean);
    }

    [Fact]
    public void Completed_WarningsAboutDifferentOutputs_KeptSideBySide_ARerunReplacesItsOwn()
    {
        JobWarning Unused(string output, string message) => new() { Code = "render_parts_unused", Subject = output, Message = message };
        var snapshot = new JobSnapshot(Job() with { Findings = new JobFindings { Warnings = { Unused("wide", "wide, first attempt"), Unused("square", "square") } } }, [
            Stage("render.wide", StageKind.Render, StageState.Running) with { OutputName = "wide" },
            Stage("render.tall", StageKind.Render, StageState.Running) with { OutputName = "tall" },
        ], []);

        var decision = Machine.Decide(snapshot, new ApplyStageEvent(Event("render.wide", 1, e => e.Completed = new StageCompleted { Warnings = { Unused("wide", "wide, again") } })), At(Now));
        decision = Machine.Decide(After(snapshot, decision), new ApplyStageEvent(Event("render.tall", 1, e => e.Completed = new StageCompleted { Warnings = { Unused("tall", "tall") } })), At(Now));

        Assert.Equal(["square", "wide, again", "tall"], decision.Job.Findings!.Warnings.Select(w => w.Message));
    }

    // source seconds -> chunk stages made (the machine chunks sources over 40 s into about 12 s)
    [Theory]
    [InlineData(30, 0)]
    [InlineData(44, 4)]
    public void Completed_Probe_LongSource_AnalysisSplitIntoChunksTheAnalyzeStageWaitsFor(double seconds, int chunks)
    {
        var machine = new JobStateMachine(new MachineSettings(30, 3, 1000, AnalysisChunkAfterSeconds: 40, AnalysisChunkSeconds: 12));
        var snapshot = new JobSnapshot(Job(), [
            Stage("probe", StageKind.Probe, StageState.Running),
            Stage("analyze", StageKind.Analyze, StageState.Waiting, attempt: 0, dependsOn: "probe"),
            Stage("vertical", StageKind.Render, StageState.Waiting, attempt: 0, dependsOn: "analyze"),
        ], []);

        var decision = machine.Decide(snapshot, new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = new MediaInfo { DurationSeconds = seconds } })), At(Now));

        var dispatched = decision.Effects.OfType<DispatchStages>().Single().Stages;
        if (chunks == 0)
        {
            Assert.Equal(["job_1.analyze"], dispatched.Select(s => s.Id));
            return;
        }

        Assert.Equal(Enumerable.Range(1, chunks).Select(i => $"job_1.analyze.part{i:00}"), dispatched.Select(s => s.Id));
        Assert.All(dispatched, s => Assert.Equal((StageKind.AnalyzeChunk, StageState.Dispatched, 1, "job_1.probe"), (s.Kind, s.State, s.Attempt, string.Join(',', s.DependsOn))));
        Assert.Equal([(0.0, 12.0), (12, 24), (24, 36), (36, 44)], dispatched.Select(s => (s.RangeStart ?? -1, s.RangeEnd ?? -1)));
        var analyze = decision.Changes!.Stages.Single(s => s.Id == "job_1.analyze");
        Assert.Equal(StageState.Waiting, analyze.State);
        Assert.Equal(dispatched.Select(s => s.Id), analyze.DependsOn);
        // The chunks count in the job's progress (the probe is done; nothing else is).
        Assert.InRange(decision.Job.Progress, 0.01, 0.2);

        // A chunk's completion dispatches nothing until the last one; the last dispatches the merge.
        var state = new JobSnapshot(decision.Job, [.. decision.Changes.Stages.Concat(snapshot.Stages.Where(s => decision.Changes.Stages.All(c => c.Id != s.Id)))], []);
        for (var i = 1; i <= chunks; i++)
        {
            var id = $"analyze.part{i:00}";
            var next = machine.Decide(state, new ApplyStageEvent(Event(id, 1, e => e.Completed = new StageCompleted())), At(Now));
            var ready = next.Effects.OfType<DispatchStages>().Single().Stages;
            Assert.Equal(i == chunks ? ["job_1.analyze"] : [], ready.Select(s => s.Id));
            state = new JobSnapshot(next.Job, [.. state.Stages.Select(s => next.Changes!.Stages.FirstOrDefault(c => c.Id == s.Id) ?? s)], []);
        }
    }

    // pattern steps, source seconds -> render parts made (the machine splits the renders of outputs over 40 s into 12 s
    // parts): cuts only shorten an output, so a jump-cut edit gets the source's parts (those past its real end render
    // nothing); a trim's parts cover the trim; fan-out clips are never split.
    [Theory]
    [InlineData("steps: [{ loudness: {} }]", 30, "")]
    [InlineData("steps: [{ loudness: {} }]", 44, "0-12 12-24 24-36 36-44")]
    [InlineData("steps: [{ jumpCuts: {} }]", 44, "0-12 12-24 24-36 36-44")]
    [InlineData("steps: [{ trim: { start: 2 } }]", 44, "0-12 12-24 24-36 36-42")]
    [InlineData("steps: [{ intro: { source: 'blob:k/intro.mp4' } }, { outro: { source: 'blob:k/outro.mp4' } }]", 44, "0-12 12-24 24-36 36-44")]
    [InlineData("steps: [{ clips: { count: 2, minLength: 20, maxLength: 40 } }]", 44, "")]
    public void Completed_Probe_LongSource_RenderSplitIntoPartsTheRenderWaitsFor(string steps, double seconds, string ranges)
    {
        var expected = ranges.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('-').Select(double.Parse).ToArray()).Select(r => (r[0], r[1])).ToList();
        var parts = expected.Count;
        var machine = new JobStateMachine(new MachineSettings(30, 3, 1000, RenderChunkAfterSeconds: 40, RenderChunkSeconds: 12));
        var job = Job() with { PatternDocument = $"apiVersion: media.farm/v1\nkind: Pattern\nname: long\noutputs: [{{ name: vertical, preset: youtube }}]\n{steps}\n" };
        var snapshot = new JobSnapshot(job, [
            Stage("probe", StageKind.Probe, StageState.Running),
            Stage("analyze", StageKind.Analyze, StageState.Waiting, attempt: 0, dependsOn: "probe"),
            Stage("render.vertical", StageKind.Render, StageState.Waiting, attempt: 0, dependsOn: "analyze") with { PatternOutput = "vertical" },
        ], []);

        var decision = machine.Decide(snapshot, new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = new MediaInfo { DurationSeconds = seconds } })), At(Now));

        Assert.Equal(["job_1.analyze"], decision.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id));
        var made = decision.Changes!.Stages.Where(s => s.Kind == StageKind.RenderChunk).ToList();
        var render = decision.Changes.Stages.SingleOrDefault(s => s.Id == "job_1.render.vertical");
        if (parts == 0)
        {
            Assert.Empty(made);
            Assert.Null(render);
            return;
        }

        Assert.Equal([.. Enumerable.Range(1, parts).Select(i => $"job_1.render.vertical.part{i:00}"), "job_1.render.vertical.sound"], made.Select(s => s.Id));
        // Parts wait for what the render waited for, render their range of the output (the sound stage: all of it), and
        // the render waits for them.
        Assert.All(made, s => Assert.Equal((StageState.Waiting, 0, "job_1.analyze", "render.vertical"), (s.State, s.Attempt, string.Join(',', s.DependsOn), s.OutputName)));
        Assert.Equal([.. expected, (0, expected[^1].Item2)], made.Select(s => (s.RangeStart ?? -1, s.RangeEnd ?? -1)));
        Assert.Equal(made.Select(s => s.Id), render!.DependsOn);

        // The analysis done: every part is dispatched at once (any worker takes them), the sound first (it encodes the whole
        // length: the longest piece), the render only after the last.
        var state = new JobSnapshot(decision.Job, [.. decision.Changes.Stages.Concat(snapshot.Stages.Where(s => decision.Changes.Stages.All(c => c.Id != s.Id)))], []);
        var analyzed = machine.Decide(state, new ApplyStageEvent(Event("analyze", 1, e => e.Completed = new StageCompleted())), At(Now));
        Assert.Equal([made[^1].Id, .. made.SkipLast(1).Select(s => s.Id)], analyzed.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id));
        state = new JobSnapshot(analyzed.Job, [.. state.Stages.Select(s => analyzed.Changes!.Stages.FirstOrDefault(c => c.Id == s.Id) ?? s)], []);
        string[] names = [.. Enumerable.Range(1, parts).Select(i => $"render.vertical.part{i:00}"), "render.vertical.sound"];
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            var next = machine.Decide(state, new ApplyStageEvent(Event(name, 1, e => e.Completed = new StageCompleted())), At(Now));
            Assert.Equal(i == names.Length - 1 ? ["job_1.render.vertical"] : [], next.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id));
            state = new JobSnapshot(next.Job, [.. state.Stages.Select(s => next.Changes!.Stages.FirstOrDefault(c => c.Id == s.Id) ?? s)], []);
        }
    }

    // speed, source seconds -> the output's length the parts cover (0: no parts; the machine splits outputs over 40 s into 12 s parts)
    [Theory]
    [InlineData(2, 100, 50)]
    [InlineData(0.5, 30, 60)]
    [InlineData(1.1, 43, 0)]
    public void Completed_Probe_SpedUpWholeSource_PartsCoverTheOutputsLength(double speed, double seconds, double length)
    {
        var machine = new JobStateMachine(new MachineSettings(30, 3, 1000, RenderChunkAfterSeconds: 40, RenderChunkSeconds: 12));
        var job = Job() with { PatternDocument = FormattableString.Invariant($"apiVersion: media.farm/v1\nkind: Pattern\nname: fast\noutputs: [{{ name: out, preset: youtube }}]\nsteps: [{{ speed: {{ factor: {speed} }} }}]\n") };
        var snapshot = new JobSnapshot(job, [
            Stage("probe", StageKind.Probe, StageState.Running),
            Stage("render.out", StageKind.Render, StageState.Waiting, attempt: 0, dependsOn: "probe") with { PatternOutput = "out" },
        ], []);

        var decision = machine.Decide(snapshot, new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = new MediaInfo { DurationSeconds = seconds } })), At(Now));

        var made = decision.Changes!.Stages.Where(s => s.Kind == StageKind.RenderChunk).ToList();
        if (length == 0)
        {
            Assert.Empty(made);
            return;
        }

        var parts = made.Where(s => !s.Id.EndsWith(".sound", StringComparison.Ordinal)).ToList();
        Assert.Equal((0.0, length), (parts[0].RangeStart ?? -1, parts[^1].RangeEnd ?? -1));
        Assert.Equal((int)Math.Ceiling(length / 12), parts.Count);
        Assert.Equal((0.0, length), (made.Single(s => s.Id.EndsWith(".sound", StringComparison.Ordinal)).RangeStart ?? -1, made.Single(s => s.Id.EndsWith(".sound", StringComparison.Ordinal)).RangeEnd ?? -1));
    }

    // preset, steps, source -> render parts made: only what is not copied, as long as the output is (its preset's limit)
    [Theory]
    [InlineData("reels", "[{ loudness: {} }]", 600, "h264", 3)]
    [InlineData("youtube", "[{ reframe: { mode: fit } }]", 600, "h264", 0)]
    [InlineData("youtube", "[{ reframe: { mode: fit } }]", 600, "hevc", 10)]
    public void Completed_Probe_PartsOnlyForRenders_SizedByTheOutput_NotForStreamCopies(string preset, string steps, double seconds, string codec, int parts)
    {
        var machine = new JobStateMachine(new MachineSettings(30, 3, 1000, RenderChunkAfterSeconds: 100, RenderChunkSeconds: 60));
        var job = Job() with { PatternDocument = $"apiVersion: media.farm/v1\nkind: Pattern\nname: long\noutputs: [{{ name: out, preset: {preset} }}]\nsteps: {steps}\n" };
        var snapshot = new JobSnapshot(job, [
            Stage("probe", StageKind.Probe, StageState.Running),
            Stage("render.out", StageKind.Render, StageState.Waiting, attempt: 0, dependsOn: "probe") with { PatternOutput = "out" },
        ], []);
        var source = new MediaInfo { DurationSeconds = seconds, VideoCodec = codec, Width = 1920, Height = 1080, FrameRate = 30, AudioCodec = "aac" };

        var decision = machine.Decide(snapshot, new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = source })), At(Now));

        var made = decision.Effects.OfType<DispatchStages>().Single().Stages.Where(s => s.Kind == StageKind.RenderChunk).ToList();
        Assert.Equal(parts, made.Count(s => !s.Id.EndsWith(".sound", StringComparison.Ordinal)));
        if (parts > 0)
        {
            var sound = Assert.Single(made, s => s.Id.EndsWith(".sound", StringComparison.Ordinal));
            Assert.Equal((0.0, Math.Min(seconds, preset == "reels" ? 180 : seconds), "cpu"), (sound.RangeStart ?? -1, sound.RangeEnd ?? -1, sound.Pool));
        }
    }

    private const string ThreeShapes = "apiVersion: media.farm/v1\nkind: Pattern\nname: shapes\n"
        + "outputs: [{ name: vertical, preset: tiktok }, { name: square, preset: tiktok, aspect: '1:1' }, { name: wide, preset: youtube }]\n";

    private static JobSnapshot ShapesAtProbe(string steps) => new(
        Job() with { PatternDocument = ThreeShapes + $"steps: {steps}\n" },
        [
            Stage("probe", StageKind.Probe, StageState.Running),
            .. new[] { "vertical", "square", "wide" }.Select(o => Stage($"render.{o}", StageKind.Render, StageState.Waiting, attempt: 0, dependsOn: "probe") with { OutputName = o, PatternOutput = o }),
        ],
        []);

    private static JobSnapshot After(JobSnapshot snapshot, Decision decision) =>
        new(decision.Job, [.. snapshot.Stages.Select(s => decision.Changes!.Stages.FirstOrDefault(c => c.Id == s.Id) ?? s), .. decision.Changes!.Stages.Where(c => snapshot.Stages.All(s => s.Id != c.Id))], [.. snapshot.Outputs, .. decision.Changes.Outputs]);

    // source seconds, codec, variants rendered together, render parts after (s) -> each render stage dispatched after the
    // probe with the variants it also renders ("" when nothing is dispatched for it: a variant waits for its render)
    [Theory]
    [InlineData(60, "hevc", true, 0, "vertical:square,wide")]
    // Tiktok's 600 s limit cuts the vertical and square outputs short of the 900 s wide one: another edit.
    [InlineData(900, "hevc", true, 0, "vertical:square|wide:")]
    [InlineData(60, "hevc", false, 0, "vertical:|square:|wide:")]
    // The wide output is stream-copied (a compliant 1080p H.264 source, plain steps): nothing to share.
    [InlineData(60, "h264", true, 0, "vertical:square|wide:")]
    // The 900 s wide output renders in parts; the 600 s ones do not, and share a decode.
    [InlineData(900, "hevc", true, 700, "vertical:square")]
    public void Completed_Probe_OutputsOfOneEdit_OneRenderMakesThemAll(double seconds, string codec, bool together, double partsAfter, string expected)
    {
        var machine = new JobStateMachine(new MachineSettings(30, 3, 1000, RenderChunkAfterSeconds: partsAfter, RenderChunkSeconds: 120, RenderVariantsTogether: together));
        var source = new MediaInfo { DurationSeconds = seconds, VideoCodec = codec, Width = 1920, Height = 1080, FrameRate = 30, AudioCodec = "aac" };

        var decision = machine.Decide(ShapesAtProbe("[]"), new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = source })), At(Now));

        var renders = decision.Effects.OfType<DispatchStages>().Single().Stages.Where(s => s.Kind == StageKind.Render);
        Assert.Equal(expected, string.Join('|', renders.Select(s => $"{s.PatternOutput}:{string.Join(',', s.Variants)}")));
        var state = After(ShapesAtProbe("[]"), decision);
        foreach (var variant in state.Stages.Where(s => s.RenderedBy.Length > 0))
        {
            // A variant waits for the render that makes it, and is never dispatched itself.
            var lead = state.Stages.Single(s => s.Id == variant.RenderedBy);
            Assert.Contains(variant.PatternOutput, lead.Variants);
            Assert.Equal([lead.Id], variant.DependsOn);
            Assert.Equal((StageState.Waiting, 0), (variant.State, variant.Attempt));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Completed_Probe_LongOutputsOfOneEdit_TheFirstsPartsRenderThemAll_EachWithItsOwnSoundAndJoin(bool together)
    {
        // Ten minutes: every shape is 600 s long (tiktok's limit), so all three are one edit rendered in five parts.
        var machine = new JobStateMachine(new MachineSettings(30, 3, 1000, RenderChunkAfterSeconds: 100, RenderChunkSeconds: 120, RenderVariantsTogether: together));
        var source = new MediaInfo { DurationSeconds = 600, VideoCodec = "hevc", Width = 1920, Height = 1080, FrameRate = 30, AudioCodec = "aac" };

        var decision = machine.Decide(ShapesAtProbe("[]"), new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = source })), At(Now));

        var dispatched = decision.Effects.OfType<DispatchStages>().Single().Stages;
        var videos = dispatched.Where(s => s.Kind == StageKind.RenderChunk && !s.Id.EndsWith(".sound", StringComparison.Ordinal)).ToList();
        var state = After(ShapesAtProbe("[]"), decision);
        string[] shapes = ["vertical", "square", "wide"];
        // Each shape's sound first: each encodes the whole length, the longest pieces.
        Assert.Equal(shapes.Select(o => $"job_1.render.{o}.sound"), dispatched.Take(3).Select(s => s.Id));
        Assert.DoesNotContain(dispatched, s => s.Kind == StageKind.Render);
        if (!together)
        {
            Assert.Equal(15, videos.Count);
            Assert.All(videos, v => Assert.Empty(v.Variants));
            return;
        }

        // Five video parts of the first shape, each also rendering its range of the other two.
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"job_1.render.vertical.part{i:00}"), videos.Select(v => v.Id));
        Assert.All(videos, v => Assert.Equal(["square", "wide"], v.Variants));
        foreach (var shape in shapes)
        {
            var render = state.Stages.Single(s => s.Id == $"job_1.render.{shape}");
            Assert.Equal((StageState.Waiting, "", 0), (render.State, render.RenderedBy, render.Variants.Count));
            Assert.Equal([.. videos.Select(v => v.Id), $"job_1.render.{shape}.sound"], render.DependsOn);
            // What its join reads: its own copies of the first shape's parts, and its own sound.
            Assert.Equal(
                [.. videos.Select(v => shape == "vertical" ? v.Id : Media.Pipelines.Render.RenderChunks.VariantPartId(v.Id, shape)), $"job_1.render.{shape}.sound"],
                Media.Pipelines.Render.RenderChunks.JoinedBy(render.Id, shape, render.DependsOn));
        }

        // The video parts done, each shape's join is dispatched as soon as its own sound is.
        foreach (var part in dispatched.OrderBy(s => s.Id.EndsWith(".sound", StringComparison.Ordinal)))
        {
            var next = machine.Decide(state, new ApplyStageEvent(Event(part.Id["job_1.".Length..], 1, e => e.Completed = new StageCompleted())), At(Now));
            state = After(state, next);
            var joins = next.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id);
            Assert.Equal(part.Id.EndsWith(".sound", StringComparison.Ordinal) ? [part.Id[..^".sound".Length]] : [], joins);
        }
    }

    [Fact]
    public void Completed_RenderWithVariants_VariantsSucceedWithIt_RevisedAlone_RetriedAfterIt()
    {
        var source = new MediaInfo { DurationSeconds = 60, VideoCodec = "hevc", Width = 1920, Height = 1080, FrameRate = 30, AudioCodec = "aac" };
        var snapshot = ShapesAtProbe("[{ loudness: {} }]");
        snapshot = After(snapshot, Machine.Decide(snapshot, new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = source })), At(Now)));
        var running = After(snapshot, Machine.Decide(snapshot, new ApplyStageEvent(Event("render.vertical", 1, e => e.Progress = new StageProgress { Fraction = 0.5 })), At(Now)));
        // The variants count as far along as their render.
        Assert.Equal(0.5 * 24 / 25 + (1.0 / 25), running.Job.Progress, 3);

        var outputs = new[] { "vertical", "square", "wide" }.Select(o => new Output { Name = o + ".mp4", Kind = OutputKind.Video, Key = $"runs/r1/{o}.mp4" });
        var decision = Machine.Decide(running, new ApplyStageEvent(Event("render.vertical", 1, e => e.Completed = new StageCompleted { Outputs = { outputs } })), At(Now.AddSeconds(5)));

        Assert.Equal(JobState.Succeeded, decision.Job.State);
        Assert.Empty(decision.Effects.OfType<DispatchStages>().Single().Stages);
        Assert.All(decision.Changes!.Stages, s => Assert.Equal((StageState.Succeeded, "w1"), (s.State, s.WorkerId)));
        Assert.Equal(["job_1.render.vertical", "job_1.render.square", "job_1.render.wide"], decision.Changes.Stages.Select(s => s.Id));
        Assert.Equal(["job_1.render.vertical", "job_1.render.square", "job_1.render.wide"], decision.Changes.Events.Where(e => e.StageChanged is not null).Select(e => e.StageChanged.StageId));
        Assert.Equal(["vertical.mp4", "square.mp4", "wide.mp4"], decision.Changes.Events.Single(e => e.Result is not null).Result.Outputs.Select(o => o.Name));

        // A revision of a variant is a render of its own.
        var done = After(running, decision);
        var revised = Machine.Decide(done, new ReviseOutput("square", 1, "plans/p.json"), At(Now.AddMinutes(1)));
        var revision = Assert.Single(revised.Effects.OfType<DispatchStages>().Single().Stages);
        Assert.Equal(("job_1.render.square.r2", "square", "", 0), (revision.Id, revision.PatternOutput, revision.RenderedBy, revision.Variants.Count));

        // The render failing fails the job; retried, the render runs again and the variants wait for it.
        var failedRender = Machine.Decide(running, new ApplyStageEvent(Event("render.vertical", 1, e => e.Failed = new Protos.V1.StageFailed { Error = new JobError { Code = "x", Message = "x" } })), At(Now));
        var failed = After(running, failedRender);
        Assert.Equal(JobState.Failed, failed.Job.State);
        var retried = Machine.Decide(failed, new RetryJob(), At(Now.AddMinutes(1)));
        Assert.Equal(["job_1.render.vertical"], retried.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id));
        Assert.All(retried.Changes!.Stages.Where(s => s.RenderedBy.Length > 0), s => Assert.Equal(StageState.Waiting, s.State));
    }

    [Fact]
    public void Completed_RenderWithoutAVariantsVideo_TheVariantRendersOnItsOwn()
    {
        var source = new MediaInfo { DurationSeconds = 60, VideoCodec = "hevc", Width = 1920, Height = 1080, FrameRate = 30, AudioCodec = "aac" };
        var snapshot = ShapesAtProbe("[]");
        snapshot = After(snapshot, Machine.Decide(snapshot, new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = source })), At(Now)));

        // A worker of an earlier release rendered the vertical and the square only (it ignored the wide variant).
        var outputs = new[] { "vertical", "square" }.Select(o => new Output { Name = o + ".mp4", Kind = OutputKind.Video, Key = $"runs/r1/{o}.mp4" });
        var decision = Machine.Decide(snapshot, new ApplyStageEvent(Event("render.vertical", 1, e => e.Completed = new StageCompleted { Outputs = { outputs } })), At(Now));

        Assert.Equal(JobState.Running, decision.Job.State);
        var wide = Assert.Single(decision.Effects.OfType<DispatchStages>().Single().Stages);
        Assert.Equal(("job_1.render.wide", StageState.Dispatched, 1, ""), (wide.Id, wide.State, wide.Attempt, wide.RenderedBy));
        Assert.Equal(["job_1.probe"], wide.DependsOn);
        Assert.Equal(StageState.Succeeded, decision.Changes!.Stages.Single(s => s.Id == "job_1.render.square").State);
        Assert.Single(decision.Changes.Stages, s => s.Id == "job_1.render.wide");
    }

    [Fact]
    public void Completed_Probe_SixOutputsOfOneEdit_AtMostFourPerRender()
    {
        var names = new[] { "a", "b", "c", "d", "e", "f" };
        var job = Job() with { PatternDocument = "apiVersion: media.farm/v1\nkind: Pattern\nname: six\noutputs: [" + string.Join(", ", names.Select(n => $"{{ name: {n}, preset: tiktok }}")) + "]\n" };
        var snapshot = new JobSnapshot(job, [
            Stage("probe", StageKind.Probe, StageState.Running),
            .. names.Select(o => Stage($"render.{o}", StageKind.Render, StageState.Waiting, attempt: 0, dependsOn: "probe") with { OutputName = o, PatternOutput = o }),
        ], []);

        var decision = Machine.Decide(snapshot, new ApplyStageEvent(Event("probe", 1, e => e.Completed = new StageCompleted { MediaInfo = new MediaInfo { DurationSeconds = 30, VideoCodec = "hevc" } })), At(Now));

        Assert.Equal("a:b,c,d|e:f", string.Join('|', decision.Effects.OfType<DispatchStages>().Single().Stages.Select(s => $"{s.PatternOutput}:{string.Join(',', s.Variants)}")));
    }

    [Fact]
    public void PartKeys_InTimeOrder_PastNinetyNine_SoundLast()
    {
        var ids = new[] { "r.sound", "r.part100", "r.part10", "r.part99", "r.part02", "r.part01" };

        Assert.Equal(["r.part01", "r.part02", "r.part10", "r.part99", "r.part100", "r.sound"], Media.JobApi.Orchestration.JobEffects.InPartOrder(ids));
    }

    // retryable, failures so far -> stage state afterwards, job state, dead letter sent
    [Theory]
    [InlineData(true, 0, StageState.Waiting, JobState.Running, false)]
    [InlineData(true, 1, StageState.Waiting, JobState.Running, false)]
    [InlineData(true, 2, StageState.Failed, JobState.Failed, true)]
    [InlineData(false, 0, StageState.Failed, JobState.Failed, false)]
    public void Failed_RetriesTransientErrorsThenFailsTheJob(bool retryable, int failures, StageState stageAfter, JobState jobAfter, bool deadLetter)
    {
        var error = new JobError { Code = "tool_failed", Message = "ffmpeg exited 1", ToolStderrTail = "tail", Retryable = retryable };

        var decision = Machine.Decide(Running(failures: failures), new ApplyStageEvent(Event("vertical", 1, e => e.Failed = new Protos.V1.StageFailed { Error = error })), At(Now));

        Assert.Equal(stageAfter, decision.Changes!.Stages.Single(s => s.Id == "job_1.vertical").State);
        Assert.Equal(jobAfter, decision.Job.State);
        Assert.Equal(deadLetter, decision.Effects.OfType<SendDeadLetter>().Any());
        Assert.Equal(jobAfter == JobState.Failed, decision.Effects.OfType<StopWork>().Any());
        Assert.Equal(jobAfter == JobState.Failed, decision.Effects.OfType<JobFinished>().Any());
        Assert.Equal(!(jobAfter == JobState.Failed), decision.Effects.OfType<JobApi.Orchestration.Machine.StageFailed>().Single().WillRetry);
        if (jobAfter == JobState.Failed)
        {
            Assert.Equal("tail", decision.Job.Error!.ToolStderrTail);
        }
    }

    // jitter -> the retry's delay after the first failure (1 s base, spread ±20 %)
    [Theory]
    [InlineData(0.0, 800)]
    [InlineData(0.5, 1000)]
    [InlineData(1.0, 1200)]
    public void Failed_RetryWaitsTheJitteredBackoff(double jitter, int milliseconds)
    {
        var decision = Machine.Decide(Running(), new ApplyStageEvent(Event("vertical", 1, e => e.Failed = new Protos.V1.StageFailed { Error = new JobError { Code = "x", Retryable = true } })), At(Now, jitter));

        Assert.Equal(Now.AddMilliseconds(milliseconds), decision.Changes!.Stages.Single().LeaseExpiresAt);
        Assert.Empty(decision.Effects.OfType<DispatchStages>());
    }

    [Fact]
    public void Failed_WorkerStopping_DispatchesAgainWithoutCountingAFailure()
    {
        var stopping = new JobError { Code = StageErrorCodes.WorkerStopping, Retryable = true };

        var decision = Machine.Decide(Running(failures: 1), new ApplyStageEvent(Event("vertical", 1, e => e.Failed = new Protos.V1.StageFailed { Error = stopping })), At(Now));

        var again = decision.Effects.OfType<DispatchStages>().Single().Stages.Single();
        Assert.Equal((StageState.Dispatched, 2, 1), (again.State, again.Attempt, again.Failures));
    }

    // stage state, lease in the past -> what the sweep does
    [Theory]
    [InlineData(StageState.Running, true, "failed and dispatched again")]
    [InlineData(StageState.Running, false, "nothing")]
    [InlineData(StageState.Dispatched, true, "lease renewed")]
    [InlineData(StageState.Waiting, true, "retry dispatched")]
    public void Sweep_ActsOnlyOnLeasesThatRanOut(StageState state, bool expired, string expected)
    {
        var snapshot = Running(state, attempt: 1, lease: expired ? Now.AddSeconds(-1) : Now.AddSeconds(5));

        var decision = Machine.Decide(snapshot, new SweepStage("job_1.vertical"), At(Now));

        var dispatched = decision.Effects.OfType<DispatchStages>().SelectMany(d => d.Stages).ToList();
        var outcome = decision.Changes is null ? "nothing"
            : dispatched.Count == 1 && dispatched[0].Attempt == 2 && dispatched[0].Failures == 1 ? "failed and dispatched again"
            : dispatched.Count == 1 && dispatched[0].Attempt == 2 ? "retry dispatched"
            : decision.Changes.Stages.Single().LeaseExpiresAt == Now.AddSeconds(30) && decision.Changes.Events.Count == 0 ? "lease renewed"
            : "unexpected";
        Assert.Equal(expected, outcome);
        if (expected == "failed and dispatched again")
        {
            Assert.Equal("lease_expired", dispatched[0].Error!.Code);
            Assert.Equal([StageState.Failed, StageState.Dispatched], decision.Changes!.Events.Select(e => e.StageChanged.State));
        }
    }

    [Theory]
    [InlineData(JobState.Running, false)]
    [InlineData(JobState.Queued, false)]
    [InlineData(JobState.Cancelled, false)]
    [InlineData(JobState.Succeeded, true)]
    [InlineData(JobState.Failed, true)]
    public void Cancel_UnfinishedJobs_StopsTheirWork_FinishedOnesAreRefused(JobState state, bool refused)
    {
        var snapshot = Running() with { Job = Job(state) };

        if (refused)
        {
            Assert.Throws<PreconditionFailedException>(() => Machine.Decide(snapshot, new CancelJob(), At(Now)));
            return;
        }

        var decision = Machine.Decide(snapshot, new CancelJob(), At(Now));

        Assert.Equal(JobState.Cancelled, decision.Job.State);
        Assert.Equal(state != JobState.Cancelled, decision.Effects.OfType<StopWork>().Any());
        if (decision.Changes is { } changes)
        {
            Assert.Equal([StageState.Cancelled], changes.Stages.Select(s => s.State).Distinct());
            Assert.Single(decision.Effects.OfType<JobFinished>());
        }
    }

    [Fact]
    public void Retry_FailedJob_RunsOnlyWhatFailedAndKeepsCountingAttempts()
    {
        var snapshot = new JobSnapshot(Job(JobState.Failed) with { Error = new JobError { Code = "x" } }, [
            Stage("probe", StageKind.Probe, StageState.Succeeded),
            Stage("vertical", StageKind.Render, StageState.Failed, attempt: 3, failures: 3, dependsOn: "probe"),
            Stage("thumbnails", StageKind.Thumbnail, StageState.Cancelled, attempt: 0, dependsOn: "vertical"),
        ], []);

        var decision = Machine.Decide(snapshot, new RetryJob(), At(Now));

        Assert.Equal((JobState.Queued, (JobError?)null), (decision.Job.State, decision.Job.Error));
        var render = decision.Changes!.Stages.Single(s => s.Kind == StageKind.Render);
        Assert.Equal((StageState.Dispatched, 4, 0), (render.State, render.Attempt, render.Failures));
        Assert.Equal(StageState.Waiting, decision.Changes.Stages.Single(s => s.Kind == StageKind.Thumbnail).State);
        Assert.Throws<PreconditionFailedException>(() => Machine.Decide(Running(), new RetryJob(), At(Now)));
    }

    [Theory]
    [InlineData(true, JobState.Queued, true)]
    [InlineData(false, JobState.Queued, false)]
    [InlineData(true, JobState.Cancelled, false)]
    public void Admit_OnlyHeldQueuedJobs(bool held, JobState state, bool admitted)
    {
        var snapshot = new JobSnapshot(Job(state, held), [Stage("probe", StageKind.Probe, StageState.Waiting, attempt: 0)], []);

        var decision = Machine.Decide(snapshot, new AdmitJob(), At(Now));

        Assert.Equal(admitted, decision.Effects.OfType<DispatchStages>().Any(d => d.Stages.Count == 1));
        Assert.False(admitted && decision.Job.Held);
    }

    [Theory]
    [InlineData(1, StageState.Dispatched, true)]
    [InlineData(2, StageState.Dispatched, false)]
    [InlineData(1, StageState.Running, false)]
    public void Park_OnlyTheUnpublishedAttempt_WaitsForTheSweep(int attempt, StageState state, bool parked)
    {
        var decision = Machine.Decide(Running(state, attempt: 1), new ParkStage("job_1.vertical", attempt), At(Now));

        Assert.Equal(parked, decision.Changes is not null);
        if (parked)
        {
            Assert.Equal((StageState.Waiting, Now.AddSeconds(2)), (decision.Changes!.Stages.Single().State, decision.Changes.Stages.Single().LeaseExpiresAt));
        }
    }

    [Fact]
    public void Recover_InFlightStage_IsDispatchedAgainAsANewAttempt()
    {
        var decision = Machine.Decide(Running(), new RecoverStage("job_1.vertical"), At(Now));

        var again = decision.Effects.OfType<DispatchStages>().Single().Stages.Single();
        Assert.Equal((2, 0), (again.Attempt, again.Failures));
        Assert.Null(Machine.Decide(Running(StageState.Succeeded), new RecoverStage("job_1.vertical"), At(Now)).Changes);
    }

    // base revision, newest rendered, an earlier revision still running -> the outcome
    [Theory]
    [InlineData(1, 1, false, "revision 2 dispatched")]
    [InlineData(2, 2, false, "revision 3 dispatched")]
    [InlineData(1, 2, false, "STALE_REVISION")]
    [InlineData(2, 2, true, "REVISION_IN_PROGRESS")]
    public void Revise_OnlyFromTheNewestRenderedRevision_OneAtATime(int baseRevision, int newest, bool running, string expected)
    {
        var stages = new List<StageRecord>
        {
            Stage("probe", StageKind.Probe, StageState.Succeeded),
            Stage("render.vertical", StageKind.Render, StageState.Succeeded, dependsOn: "probe") with { OutputName = "vertical", PatternOutput = "vertical" },
        };
        for (var r = 2; r <= newest; r++)
        {
            stages.Add(Stage($"render.vertical.r{r}", StageKind.Render, StageState.Succeeded) with { OutputName = $"vertical.r{r}", PatternOutput = "vertical", Revision = r });
        }

        if (running)
        {
            stages.Add(Stage($"render.vertical.r{newest + 1}", StageKind.Render, StageState.Running) with { OutputName = $"vertical.r{newest + 1}", PatternOutput = "vertical", Revision = newest + 1 });
        }

        var snapshot = new JobSnapshot(Job(JobState.Succeeded), stages, []);
        string outcome;
        try
        {
            var decision = Machine.Decide(snapshot, new ReviseOutput("vertical", baseRevision, "plans/p.json"), At(Now));
            var stage = decision.Effects.OfType<DispatchStages>().Single().Stages.Single();
            Assert.Equal((JobState.Running, "plans/p.json", "vertical", $"vertical.r{stage.Revision}"), (decision.Job.State, stage.PlanKey, stage.PatternOutput, stage.OutputName));
            Assert.Empty(stage.DependsOn);
            outcome = $"revision {stage.Revision} dispatched";
        }
        catch (PreconditionFailedException ex)
        {
            outcome = ex.Reason;
        }

        Assert.Equal(expected, outcome);
    }

    // the revised output's length when it can be split (0: it cannot) -> the stages dispatched at once (the machine splits
    // outputs over 40 s into 12 s parts)
    [Theory]
    [InlineData(0, "render.vertical.r2")]
    [InlineData(40, "render.vertical.r2")]
    [InlineData(44, "render.vertical.r2.sound render.vertical.r2.part01 render.vertical.r2.part02 render.vertical.r2.part03 render.vertical.r2.part04")]
    public void Revise_ALongRevision_RendersInParts_ItsRenderJoinsThem_AFailedOneIsSupersededByTheNext(double seconds, string expected)
    {
        var machine = new JobStateMachine(new MachineSettings(30, 3, 1000, RenderChunkAfterSeconds: 40, RenderChunkSeconds: 12));
        var snapshot = new JobSnapshot(Job(JobState.Succeeded), [
            Stage("probe", StageKind.Probe, StageState.Succeeded),
            Stage("render.vertical", StageKind.Render, StageState.Succeeded, dependsOn: "probe") with { OutputName = "vertical", PatternOutput = "vertical" },
        ], []);

        var decision = machine.Decide(snapshot, new ReviseOutput("vertical", 1, "plans/p.json", seconds), At(Now));

        var dispatched = decision.Effects.OfType<DispatchStages>().Single().Stages;
        Assert.Equal(expected.Split(' ').Select(n => "job_1." + n), dispatched.Select(s => s.Id));
        // Every part renders the revised plan, and nothing it waits for: the revision needs no probe or analysis again.
        Assert.All(dispatched, s => Assert.Equal((StageState.Dispatched, 2, "plans/p.json", "vertical.r2", "vertical", ""), (s.State, s.Revision, s.PlanKey, s.OutputName, s.PatternOutput, string.Join(',', s.DependsOn))));
        if (dispatched.Count == 1)
        {
            return;
        }

        // The sound went out first (the longest piece); below, the parts in time order and the sound last.
        var parts = dispatched.Where(s => s.Kind == StageKind.RenderChunk).OrderBy(s => s.Id.EndsWith(".sound", StringComparison.Ordinal)).ToList();
        Assert.Equal([(0.0, 12.0), (12, 24), (24, 36), (36, 44), (0, 44)], parts.Select(p => (p.RangeStart ?? -1, p.RangeEnd ?? -1)));
        Assert.Equal(Media.Platform.Bus.Topics.CpuPool, parts[^1].Pool);
        var render = decision.Changes!.Stages.Single(s => s.Id == "job_1.render.vertical.r2");
        Assert.Equal((StageState.Waiting, 0, "plans/p.json"), (render.State, render.Attempt, render.PlanKey));
        Assert.Equal(parts.Select(p => p.Id), render.DependsOn);
        Assert.Equal(JobState.Running, decision.Job.State);

        // The last part done dispatches the revision's render (the join); the job succeeds again with it.
        var state = After(snapshot, decision);
        foreach (var (part, i) in parts.Select((p, i) => (p, i)))
        {
            var next = machine.Decide(state, new ApplyStageEvent(Event(part.Id["job_1.".Length..], 1, e => e.Completed = new StageCompleted())), At(Now));
            Assert.Equal(i == parts.Count - 1 ? ["job_1.render.vertical.r2"] : [], next.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id));
            state = After(state, next);
        }

        Assert.Equal(JobState.Succeeded, machine.Decide(state, new ApplyStageEvent(Event("render.vertical.r2", 1, e => e.Completed = new StageCompleted())), At(Now)).Job.State);

        // A part that fails for good fails the revision (and the job, whose outputs stay); the next revision, from the
        // newest rendered one, supersedes the failed revision's parts, and the job succeeds without them.
        var failed = After(After(snapshot, decision), machine.Decide(After(snapshot, decision), new ApplyStageEvent(Event("render.vertical.r2.part02", 1, e => e.Failed = new Protos.V1.StageFailed { Error = new JobError { Code = "x", Message = "x" } })), At(Now)));
        Assert.Equal(JobState.Failed, failed.Job.State);
        var again = machine.Decide(failed, new ReviseOutput("vertical", 1, "plans/q.json", 30), At(Now));
        Assert.Equal(["job_1.render.vertical.r3"], again.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id));
        // No render stage will join the failed revision's parts: they are deleted.
        Assert.Equal(parts.Select(p => p.Id), again.Effects.OfType<DiscardRenderParts>().Single().StageIds);
        var revised = After(failed, again);
        Assert.Equal(JobState.Succeeded, machine.Decide(revised, new ApplyStageEvent(Event("render.vertical.r3", 1, e => e.Completed = new StageCompleted())), At(Now)).Job.State);
    }

    [Fact]
    public void Revise_DiscardsOnlyTheUnjoinedPartsOfTheRevisionItSupersedes()
    {
        StageRecord Render(string output, int revision, StageState state) =>
            Stage(revision > 1 ? $"render.{output}.r{revision}" : $"render.{output}", StageKind.Render, state) with { OutputName = revision > 1 ? $"{output}.r{revision}" : output, PatternOutput = output, Revision = revision };
        StageRecord Part(StageRecord render, string part, StageState state) =>
            render with { Id = $"{render.Id}.{part}", Kind = StageKind.RenderChunk, State = state };
        var (vertical, r2, r3, square, squareR2) = (Render("vertical", 1, StageState.Succeeded), Render("vertical", 2, StageState.Cancelled), Render("vertical", 3, StageState.Cancelled), Render("square", 1, StageState.Succeeded), Render("square", 2, StageState.Cancelled));
        var snapshot = new JobSnapshot(Job(JobState.Failed), [
            vertical, Part(vertical, "part01", StageState.Succeeded), Part(vertical, "sound", StageState.Succeeded),
            // Revision 2's parts went when revision 3 was made; revision 3's failed (one for good, one cancelled with it).
            r2, Part(r2, "part01", StageState.Failed),
            r3, Part(r3, "part01", StageState.Failed), Part(r3, "sound", StageState.Cancelled),
            // Another output's failed revision keeps its parts: its own next revision (or a retry) decides.
            square, squareR2, Part(squareR2, "part01", StageState.Failed),
        ], []);

        var decision = Machine.Decide(snapshot, new ReviseOutput("vertical", 1, "plans/p.json"), At(Now));

        Assert.Equal(["job_1.render.vertical.r4"], decision.Effects.OfType<DispatchStages>().Single().Stages.Select(s => s.Id));
        Assert.Equal(["job_1.render.vertical.r3.part01", "job_1.render.vertical.r3.sound"], decision.Effects.OfType<DiscardRenderParts>().Single().StageIds);
        // Only once the new revision is on its way.
        Assert.IsType<DiscardRenderParts>(decision.Effects[^1]);

        // From a revision that was rendered, nothing is discarded (the join deleted its parts).
        var succeeded = new JobSnapshot(Job(JobState.Succeeded), [vertical, Part(vertical, "part01", StageState.Succeeded), Render("vertical", 2, StageState.Succeeded), Part(Render("vertical", 2, StageState.Succeeded), "part01", StageState.Succeeded)], []);
        Assert.Empty(Machine.Decide(succeeded, new ReviseOutput("vertical", 2, "plans/p.json"), At(Now)).Effects.OfType<DiscardRenderParts>());
    }

    [Fact]
    public void Completed_ARevisionAfterAFailedOne_SucceedsTheJob()
    {
        var snapshot = new JobSnapshot(Job(), [
            Stage("render.vertical", StageKind.Render, StageState.Succeeded) with { OutputName = "vertical", PatternOutput = "vertical" },
            Stage("render.vertical.r2", StageKind.Render, StageState.Failed) with { OutputName = "vertical.r2", PatternOutput = "vertical", Revision = 2 },
            Stage("render.vertical.r3", StageKind.Render, StageState.Running) with { OutputName = "vertical.r3", PatternOutput = "vertical", Revision = 3 },
        ], []);

        var decision = Machine.Decide(snapshot, new ApplyStageEvent(Event("render.vertical.r3", 1, e => e.Completed = new StageCompleted())), At(Now));

        Assert.Equal(JobState.Succeeded, decision.Job.State);
    }
}
