using System.Diagnostics;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>The job API over real gRPC against the in-process farm: bad input, cancellation, listing, watching.</summary>
[Collection(MediaCollection.Name)]
public sealed class FarmApiTests(TestMedia media) : IAsyncLifetime
{
    private readonly InProcessFarm _farm = new();

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task Upload_ZeroBytes_InvalidArgumentNamingData()
    {
        var empty = Path.Combine(media.Directory, "empty.mp4");
        await File.WriteAllBytesAsync(empty, []);

        var ex = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.UploadFileAsync(empty, null, CancellationToken.None));

        AssertViolation(ex, StatusCode.InvalidArgument, "data", "empty");
    }

    [Fact]
    public async Task Upload_ChecksumMismatch_InvalidArgumentAndNothingKept()
    {
        using var call = _farm.Client.Uploads.Upload();
        await call.RequestStream.WriteAsync(new UploadRequest { Header = new UploadHeader { FileName = "x.mp4" } });
        await call.RequestStream.WriteAsync(new UploadRequest { Data = ByteString.CopyFromUtf8("some bytes") });
        await call.RequestStream.WriteAsync(new UploadRequest { Trailer = new UploadTrailer { Sha256 = new string('0', 64) } });
        await call.RequestStream.CompleteAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call);

        AssertViolation(ex, StatusCode.InvalidArgument, "trailer.sha256", "checksum mismatch");
        Assert.Empty(Directory.GetFiles(Path.Combine(_farm.DataDirectory, "blobs", "data"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task CreateUpload_OnFolderStorage_FailedPreconditionPointingToTheStream()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.Uploads.CreateUploadAsync(
            new CreateUploadRequest { FileName = "big.mp4", SizeBytes = 100, Sha256 = new string('a', 64) }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("Uploads.Upload", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_WithoutHeader_InvalidArgument()
    {
        using var call = _farm.Client.Uploads.Upload();
        await call.RequestStream.WriteAsync(new UploadRequest { Data = ByteString.CopyFromUtf8("x") });
        await call.RequestStream.CompleteAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call);

        AssertViolation(ex, StatusCode.InvalidArgument, "header", "first message");
    }

    [Fact]
    public async Task SubmitJob_UnknownPatternAndMissingSource_InvalidArgumentWithEachField()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { PatternName = "nope" }));

        AssertViolation(ex, StatusCode.InvalidArgument, "pattern_name", "unknown pattern 'nope'");
        AssertViolation(ex, StatusCode.InvalidArgument, "source", "required");
    }

    [Fact]
    public async Task GetJob_UnknownId_NotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = "job_does_not_exist" }));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("job_does_not_exist", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("text")]
    public async Task SubmitJob_NotAVideo_FailsWithToolTailAndServerKeepsServing(string which)
    {
        var path = which == "truncated" ? media.Truncated : media.TextFile;
        var upload = await _farm.Client.UploadFileAsync(path, null, CancellationToken.None);

        var job = await SubmitAndWaitAsync(upload.UploadId);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("invalid_media", job.Error.Code);
        Assert.False(job.Error.Retryable);
        Assert.NotEmpty(job.Error.ToolStderrTail);
        Assert.Equal(1, job.Stages.Single(s => s.Kind == StageKind.Probe).Attempt);

        var health = await new Health.HealthClient(ChannelOf()).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var good = await SubmitAndWaitAsync((await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None)).UploadId);
        Assert.Equal(JobState.Succeeded, good.State);
    }

    // Asserts a wall-clock bound: run apart from the parallel suite (scripts/test.sh runs the Timing trait alone).
    [Fact]
    [Trait("Category", "Timing")]
    public async Task CancelJob_DuringRender_StopsFFmpegQuickly()
    {
        var upload = await _farm.Client.UploadFileAsync(media.Long, null, CancellationToken.None);
        var job = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" });
        await WaitForRenderProgressAsync(job.Id);
        Assert.True(FFmpegRunningFor(job.Id), "ffmpeg should be rendering this job");
        var stopwatch = Stopwatch.StartNew();

        var cancelled = await _farm.Client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.Id });

        Assert.Equal(JobState.Cancelled, cancelled.State);
        while (FFmpegRunningFor(job.Id) && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"ffmpeg still ran {stopwatch.Elapsed} after cancel");

        // Scratch goes when the stage's task unwinds, just after its ffmpeg exits.
        var scratch = Path.Combine(_farm.DataDirectory, "work");
        while (Directory.GetDirectories(scratch, job.Id + "*").Length > 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.Empty(Directory.GetDirectories(scratch, job.Id + "*"));
        var again = await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        Assert.All(again.Stages, s => Assert.Contains(s.State, new[] { StageState.Succeeded, StageState.Cancelled }));
    }

    [Fact]
    public async Task ListJobs_ByLabelWithPaging_ReturnsEachMatchingJobOnce()
    {
        var upload = await _farm.Client.UploadFileAsync(media.TextFile, null, CancellationToken.None);
        var ids = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" };
            request.Labels.Add("batch", "list-test");
            ids.Add((await _farm.Client.Jobs.SubmitJobAsync(request)).Id);
        }

        var seen = new List<string>();
        var token = string.Empty;
        do
        {
            var query = new ListJobsRequest { PageSize = 2, PageToken = token };
            query.Labels.Add("batch", "list-test");
            var page = await _farm.Client.Jobs.ListJobsAsync(query);
            Assert.True(page.Jobs.Count <= 2);
            seen.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(ids.Order(), seen.Order());
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.ListJobsAsync(new ListJobsRequest { PageToken = "garbage!" }));
        AssertViolation(bad, StatusCode.InvalidArgument, "page_token", "not a token");
    }

    [Fact]
    public async Task WatchJob_ResumeFromSequence_SendsOnlyLaterEvents()
    {
        var job = await SubmitAndWaitAsync((await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None)).UploadId);
        Assert.Equal(JobState.Succeeded, job.State);

        var all = await ReadAllEventsAsync(job.Id, 0);
        var tail = await ReadAllEventsAsync(job.Id, all[2].Sequence);

        Assert.Equal(all.Skip(3).Select(e => e.Sequence), tail.Select(e => e.Sequence));
        Assert.Equal(JobEvent.EventOneofCase.StateChanged, all[^1].EventCase);
        Assert.Equal(JobState.Succeeded, all[^1].StateChanged.State);
        Assert.Contains(all, e => e.EventCase == JobEvent.EventOneofCase.Progress && e.Progress.StageProgress > 0);
        Assert.Equal(
            ["analysis.json", "thumbnail-square-clean-1.webp", "thumbnail-square-clean-2.webp", "thumbnail-vertical-cover-1.jpg", "thumbnail-vertical-cover-2.jpg", "vertical.mp4", "vertical.plan.json"],
            job.Outputs.Select(o => o.Name).Order());
    }

    [Fact]
    public async Task ListPatterns_And_ValidatePattern_ReportPaths()
    {
        var list = await _farm.Client.Patterns.ListPatternsAsync(new ListPatternsRequest());
        var invalid = await _farm.Client.Patterns.ValidatePatternAsync(new ValidatePatternRequest { Document = "apiVersion: media.farm/v1\nname: x\noutputs: []\n" });
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Patterns.GetPatternAsync(new GetPatternRequest { Name = "nope" }));

        Assert.Contains(list.Patterns, p => p.Name == "reframe-vertical" && p.Outputs.Contains("vertical"));
        Assert.False(invalid.Valid);
        Assert.Contains(invalid.Violations, v => v.Path == "outputs");
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Patterns_StoredByTenant_ValidatedNamedByJobsAndManaged()
    {
        const string pattern = """
            apiVersion: media.farm/v1
            name: agency-square
            description: Square with a title.
            outputs: [{ name: square, preset: reels, aspect: "1:1" }]
            steps:
              - text: { text: "{{title}}", end: 1 }
            """;
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Patterns.PutPatternAsync(
            new PutPatternRequest { Document = pattern.Replace("end: 1", "end: 1, position: sideways", StringComparison.Ordinal) }));
        var taken = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Patterns.PutPatternAsync(
            new PutPatternRequest { Document = pattern.Replace("agency-square", "reframe-vertical", StringComparison.Ordinal) }));
        var stored = await _farm.Client.Patterns.PutPatternAsync(new PutPatternRequest { Document = pattern });
        var listed = await _farm.Client.Patterns.ListPatternsAsync(new ListPatternsRequest());
        var fetched = await _farm.Client.Patterns.GetPatternAsync(new GetPatternRequest { Name = "agency-square" });

        AssertViolation(bad, StatusCode.InvalidArgument, "document.steps[0].text.position", "unknown position 'sideways'");
        Assert.Equal(StatusCode.AlreadyExists, taken.StatusCode);
        Assert.Equal(("agency-square", false, pattern), (stored.Name, stored.BuiltIn, fetched.Document));
        Assert.Contains(listed.Patterns, p => p.Name == "agency-square" && !p.BuiltIn);
        Assert.Contains(listed.Patterns, p => p.Name == "tiktok-talking-head" && p.BuiltIn);

        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "agency-square" };
        request.Parameters.Add("title", "Mine");
        var job = await _farm.Client.Jobs.SubmitJobAsync(request);
        await _farm.Client.Patterns.DeletePatternAsync(new DeletePatternRequest { Name = "agency-square" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        job = await _farm.Client.WaitAsync(job.Id, null, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, job.Error?.ToString());
        var video = Assert.Single(job.Outputs, o => o.Kind == OutputKind.Video);
        Assert.Equal(("square.mp4", 1080, 1080), (video.Name, video.Width, video.Height));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(request));
        AssertViolation(unknown, StatusCode.InvalidArgument, "pattern_name", "unknown pattern 'agency-square'");
        var builtIn = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Patterns.DeletePatternAsync(new DeletePatternRequest { Name = "bulk-normalize" }));
        Assert.Equal(StatusCode.FailedPrecondition, builtIn.StatusCode);
    }

    [Fact]
    public async Task Templates_StoredByTenant_UsedByInlinePatternAndManaged()
    {
        const string template = """
            apiVersion: media.farm/v1
            kind: ThumbnailTemplate
            name: agency-portrait
            canvas: { width: 1080, height: 1350 }
            format: png
            maxBytes: 5000000
            title: { text: "{{title}}", color: "{{brand.primary}}" }
            """;
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Patterns.PutTemplateAsync(new PutTemplateRequest { Document = "apiVersion: media.farm/v1\nname: x\n" }));
        var taken = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Patterns.PutTemplateAsync(
            new PutTemplateRequest { Document = template.Replace("agency-portrait", "youtube-bold", StringComparison.Ordinal) }));
        var stored = await _farm.Client.Patterns.PutTemplateAsync(new PutTemplateRequest { Document = template });
        var listed = await _farm.Client.Patterns.ListTemplatesAsync(new ListTemplatesRequest());

        AssertViolation(bad, StatusCode.InvalidArgument, "document.canvas", "required");
        Assert.Equal(StatusCode.AlreadyExists, taken.StatusCode);
        Assert.Equal((1080, 1350, "png", false), (stored.Width, stored.Height, stored.Format, stored.BuiltIn));
        Assert.Contains(listed.Templates, t => t.Name == "agency-portrait" && !t.BuiltIn);
        Assert.Contains(listed.Templates, t => t.Name == "youtube-bold" && t.BuiltIn);

        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var request = new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            InlinePattern = """
                apiVersion: media.farm/v1
                name: agency-covers
                outputs: [{ name: v, preset: reels }]
                thumbnail: { frames: 1, templates: [agency-portrait] }
                """,
        };
        request.Parameters.Add("title", "Stored template");
        request.Parameters.Add("brand.primary", "#00FF88");
        var job = await _farm.Client.Jobs.SubmitJobAsync(request);
        await _farm.Client.Patterns.DeleteTemplateAsync(new DeleteTemplateRequest { Name = "agency-portrait" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        job = await _farm.Client.WaitAsync(job.Id, null, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, job.Error?.ToString());
        var cover = Assert.Single(job.Outputs, o => o.Kind == OutputKind.Thumbnail);
        Assert.Equal(("thumbnail-agency-portrait-1.png", 1080, 1350, "image/png"), (cover.Name, cover.Width, cover.Height, cover.ContentType));
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Patterns.GetTemplateAsync(new GetTemplateRequest { Name = "agency-portrait" }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(request));
        AssertViolation(unknown, StatusCode.InvalidArgument, "inline_pattern.thumbnail.templates[0]", "unknown template 'agency-portrait'");
    }

    private async Task<Job> SubmitAndWaitAsync(string uploadId)
    {
        var job = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = uploadId }, PatternName = "reframe-vertical" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await _farm.Client.WaitAsync(job.Id, null, timeout.Token);
    }

    private async Task<List<JobEvent>> ReadAllEventsAsync(string jobId, long after)
    {
        using var call = _farm.Client.Jobs.WatchJob(new WatchJobRequest { JobId = jobId, AfterSequence = after });
        var events = new List<JobEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
        {
            events.Add(e);
        }

        return events;
    }

    private async Task WaitForRenderProgressAsync(string jobId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = _farm.Client.Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, cancellationToken: timeout.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(timeout.Token))
        {
            if (e.EventCase == JobEvent.EventOneofCase.Progress && e.Progress.StageId.Contains("render", StringComparison.Ordinal) && e.Progress.StageProgress > 0.05)
            {
                return;
            }
        }

        Assert.Fail("The render never reported progress.");
    }

    private static bool FFmpegRunningFor(string jobId) =>
        Directory.GetDirectories("/proc").Any(dir =>
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                return cmdline.StartsWith("ffmpeg", StringComparison.Ordinal) && cmdline.Contains(jobId, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        });

    private Grpc.Net.Client.GrpcChannel ChannelOf() => Grpc.Net.Client.GrpcChannel.ForAddress(_farm.Client.Address);

    private static void AssertViolation(RpcException ex, StatusCode code, string field, string reasonPart)
    {
        Assert.Equal(code, ex.StatusCode);
        var badRequest = ex.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(badRequest.FieldViolations, v => v.Field == field && v.Description.Contains(reasonPart, StringComparison.OrdinalIgnoreCase));
    }
}
