using Media.Cli.Client;
using Media.Client;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>`media serve` in its own process, driven over gRPC exactly as a client would.</summary>
[Collection(MediaCollection.Name)]
public sealed class EndToEndTests(TestMedia media) : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "media-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly string _downloads = Directory.CreateTempSubdirectory("media-e2e-out-").FullName;

    [Fact]
    public async Task Serve_UploadSubmitWatchDownload_OutputConformsToPreset()
    {
        await using var serve = await ServeProcess.StartAsync(_data, new Dictionary<string, string> { ["Media__Logging__Format"] = "json" });
        using var client = new FarmClient(serve.Address);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var upload = await client.UploadFileAsync(media.Landscape, null, timeout.Token);
        var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" };
        request.Parameters.Add("title", "End to end");
        var job = await client.Jobs.SubmitJobAsync(request, cancellationToken: timeout.Token);
        var events = new List<JobEvent>();
        job = await client.WaitAsync(job.Id, events.Add, timeout.Token);
        var files = await client.DownloadOutputsAsync(job, _downloads, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}\n{serve.Log}");
        Assert.Contains(events, e => e.EventCase == JobEvent.EventOneofCase.Progress);
        var video = await TestMedia.ProbeAsync(files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal)));
        var source = await TestMedia.ProbeAsync(media.Landscape);
        Assert.Equal((1080, 1920, "h264", "aac"), (video.Width, video.Height, video.VideoCodec, video.AudioCodec));
        Assert.InRange(video.DurationSeconds, source.DurationSeconds - 0.1, source.DurationSeconds + 0.1);
        Assert.Equal(2, files.Count(f => f.EndsWith(".jpg", StringComparison.Ordinal)));
        foreach (var cover in files.Where(f => f.EndsWith(".jpg", StringComparison.Ordinal)))
        {
            var thumbnail = await TestMedia.ProbeAsync(cover);
            Assert.Equal((1080, 1920, "mjpeg"), (thumbnail.Width, thumbnail.Height, thumbnail.VideoCodec));
        }

        foreach (var cover in files.Where(f => f.EndsWith(".webp", StringComparison.Ordinal)))
        {
            var thumbnail = await TestMedia.ProbeAsync(cover);
            Assert.Equal((1080, 1080, "webp"), (thumbnail.Width, thumbnail.Height, thumbnail.VideoCodec));
        }

        var times = job.Outputs.Where(o => o.Kind == OutputKind.Thumbnail).Select(o => o.FrameTimeSeconds).Distinct().ToList();
        Assert.Equal(2, times.Count);

        // Structured logs: one JSON object per line, the worker's lines carrying the job and stage of their scope.
        var lines = serve.Log.Split('\n').Where(l => l.StartsWith('{')).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        // A clean start on a fresh data folder and a clean job: no line carries an exception (a stack trace).
        Assert.DoesNotContain(lines, l => l.TryGetProperty("Exception", out _));
        var stageLine = lines
            .First(l => l.GetProperty("Message").GetString()!.Contains("succeeded", StringComparison.Ordinal) && l.TryGetProperty("Scopes", out _));
        Assert.Contains(stageLine.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("JobId", out var id) && id.GetString() == job.Id);
    }

    [Fact]
    public async Task Serve_KilledDuringRender_JobResumesAfterRestartWithoutDuplicates()
    {
        string jobId;
        await using (var first = await ServeProcess.StartAsync(_data))
        {
            using var client = new FarmClient(first.Address);
            var upload = await client.UploadFileAsync(media.Long, null, CancellationToken.None);
            var job = await client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" });
            jobId = job.Id;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            using var watch = client.Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, cancellationToken: timeout.Token);
            while (await watch.ResponseStream.MoveNext(timeout.Token))
            {
                var e = watch.ResponseStream.Current;
                if (e.EventCase == JobEvent.EventOneofCase.Progress && e.Progress.StageId.EndsWith("render.vertical", StringComparison.Ordinal) && e.Progress.StageProgress > 0.1)
                {
                    break;
                }
            }

            await first.KillAsync();
        }

        // A stage running beside the killed render (the covers) may have stored part of its outputs in its run folder:
        // the leftover sweep deletes what no record names soon after the job ends.
        await using var second = await ServeProcess.StartAsync(_data, new Dictionary<string, string>
        {
            ["Media__JobApi__RunLeftoverSeconds"] = "1",
            ["Media__Retention__SweepMinutes"] = "0.02",
        });
        using var again = new FarmClient(second.Address);
        using var finish = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var done = await again.WaitAsync(jobId, null, finish.Token);

        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}\n{second.Log}");
        // The analysis (faces, for the crop), the video, four covers, and the edit plan the video was rendered from.
        Assert.Equal(7, done.Outputs.Count);
        Assert.Single(done.Outputs, o => o.Name == "vertical.mp4");
        var render = done.Stages.Single(s => s.Kind == StageKind.Render);
        Assert.Equal(2, render.Attempt);
        string[] Stored() => Directory.GetFiles(Path.Combine(_data, "blobs", "data", "tenants", "default", "jobs", jobId), "*", SearchOption.AllDirectories);
        // Wait for the sweep to have looked (it runs about every second once the job has ended), up to the deadline.
        while (Stored().Length > 7 && !finish.IsCancellationRequested)
        {
            await Task.Delay(200, CancellationToken.None);
        }

        var stored = Stored();
        Assert.Equal(7, stored.Length);
        var files = await again.DownloadOutputsAsync(done, _downloads, finish.Token);
        var video = await TestMedia.ProbeAsync(files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal)));
        Assert.InRange(video.DurationSeconds, 11.9, 12.1);
    }

    [Fact]
    public async Task Cli_BadInputAndServerErrors_GiveExitCodesAndReadableMessages()
    {
        await using var serve = await ServeProcess.StartAsync(_data);

        var missingFile = await TestMedia.RunAsync("dotnet", [ServeProcess.MediaDll(), "submit", "/nonexistent/clip.mp4", "--server", serve.Address]);
        var unknownJob = await TestMedia.RunAsync("dotnet", [ServeProcess.MediaDll(), "jobs", "get", "job_nope", "--server", serve.Address]);
        var badPattern = await TestMedia.RunAsync("dotnet", [ServeProcess.MediaDll(), "submit", media.Landscape, "--pattern", "nope", "--server", serve.Address]);

        Assert.Equal(2, missingFile.ExitCode);
        Assert.Contains("does not exist", missingFile.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, unknownJob.ExitCode);
        Assert.Contains("NotFound", unknownJob.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, badPattern.ExitCode);
        Assert.Contains("pattern_name: unknown pattern 'nope'", badPattern.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", unknownJob.Stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Directory.Delete(_downloads, recursive: true);
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
