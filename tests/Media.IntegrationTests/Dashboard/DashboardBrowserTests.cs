using System.Text.Json;
using Media.Protos.V1;
using Media.Workers;
using Media.Workers.Hardware;
using Microsoft.Extensions.DependencyInjection;

namespace Media.IntegrationTests.Dashboard;

/// <summary>
/// The operator dashboard end to end in headless Chromium (Debian's, driven by playwright-core from npm): the page
/// must show what the API knows — the worker and its probed capabilities, queued work, a job's live progress, a
/// failure with its error, and playable previews of a finished job's outputs. Screenshots land in TestResults/dashboard
/// (or $MEDIA_TEST_ARTIFACTS), never in the repository.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class DashboardBrowserTests(TestMedia media) : IAsyncLifetime
{
    // One slot: the long job's stages queue behind each other, so the queue panel has something to show.
    private readonly InProcessFarm _farm = new(new Dictionary<string, string?> { ["Media:Worker:Slots"] = "1", ["Media:Worker:AnnounceSeconds"] = "1" });

    private const string Hostile = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>";

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task Dashboard_ShowsWorkersQueuesProgressFailuresAndPreviews()
    {
        var playwright = Path.Combine(RepositoryPaths.Root(), ".tools", "playwright", "node_modules", "playwright-core");
        var chromium = Environment.GetEnvironmentVariable("MEDIA_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(Directory.Exists(playwright), $"playwright-core is not installed at {playwright}; run scripts/setup.sh.");
        Assert.True(File.Exists(chromium), $"Chromium is not at {chromium}; run scripts/setup.sh (Debian package chromium) or set MEDIA_CHROMIUM.");
        var artifacts = Environment.GetEnvironmentVariable("MEDIA_TEST_ARTIFACTS") is { Length: > 0 } root
            ? Path.Combine(root, "dashboard")
            : Path.Combine(RepositoryPaths.Root(), "TestResults", "dashboard");
        Directory.CreateDirectory(artifacts);

        // Labels are user data: markup in them must show as text and run nothing.
        var longJob = await SubmitAsync(media.Long, new() { ["note"] = Hostile });
        var shortJob = await SubmitAsync(media.Landscape);
        var failedJob = await SubmitAsync(media.TextFile);
        var script = Path.Combine(AppContext.BaseDirectory, "Dashboard", "dashboard-check.js");
        var run = await TestMedia.RunAsync("node", [script, playwright, chromium, _farm.HttpAddress + "/dashboard/?refresh=250", artifacts, longJob, shortJob, failedJob, "note=" + Hostile]);

        Assert.True(run.ExitCode == 0, $"the browser script failed: {run.Stderr}");
        using var report = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
        var page = report.RootElement;
        Assert.Empty(page.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        Assert.Empty(page.GetProperty("consoleErrors").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("note=" + Hostile, page.GetProperty("hostileLabel").GetString());
        Assert.False(page.GetProperty("pwned").GetBoolean(), "markup from a job label ran in the page");

        // The worker row is this farm's worker with what its probe really found.
        var worker = _farm.Services.GetRequiredService<StageWorker>();
        var hardware = _farm.Services.GetRequiredService<WorkerHardware>().Current;
        var shownWorker = page.GetProperty("worker");
        var capabilities = shownWorker.GetProperty("capabilities");
        Assert.Equal(worker.WorkerId, shownWorker.GetProperty("id").GetString());
        Assert.Equal("cpu", shownWorker.GetProperty("pool").GetString());
        Assert.Equal(hardware.Nvenc.Available, capabilities.GetProperty("nvenc").GetBoolean());
        Assert.Equal(hardware.CudaDecode.Available, capabilities.GetProperty("cuda_decode").GetBoolean());
        Assert.Equal(hardware.OnnxCuda.Available, capabilities.GetProperty("onnx_cuda").GetBoolean());
        Assert.Equal(hardware.WhisperGpu.Available, capabilities.GetProperty("whisper_gpu").GetBoolean());
        Assert.True(page.GetProperty("workerShowedLongJob").GetBoolean(), "the worker row never listed the long job among its running stages");
        Assert.True(page.GetProperty("maxQueued").GetInt32() >= 1, "the queue panel never showed a waiting stage although one slot served three jobs");

        // Live progress: seen part-way while running, then complete.
        var progress = page.GetProperty("progress").EnumerateArray().Select(p => (State: p.GetProperty("state").GetString(), Value: p.GetProperty("progress").GetDouble())).ToList();
        Assert.Contains(progress, p => p.State == "running" && p.Value is > 0 and < 1);
        Assert.Equal(("succeeded", 1.0), progress[^1]);

        // The running job opened from the keyboard, its panel scrolled into view, with a summary line fed by its
        // NDJSON event stream; its id a link; Cancel asked before acting (dismissed here: the job still succeeded).
        Assert.True(page.GetProperty("idIsLink").GetBoolean(), "the job id is not a link");
        Assert.True(page.GetProperty("detailInView").GetBoolean(), "the job panel opened outside the window");
        var summary = page.GetProperty("runningSummary").GetString()!;
        Assert.Matches(@"^source long\.mp4 · elapsed [0-9]+:[0-9]{2}", summary);
        Assert.Matches(@"[0-9.]+x real time · [0-9]+ fps", summary);
        Assert.StartsWith($"Cancel job {longJob}?", page.GetProperty("cancelDialog").GetString(), StringComparison.Ordinal);
        // Times with the date and the zone.
        Assert.Matches(@"20[0-9]{2}.*(UTC|GMT)", page.GetProperty("createdText").GetString()!);

        // The failure row carries the API's error.
        var failed = await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = failedJob });
        Assert.Equal(JobState.Failed, failed.State);
        // Errors name the source by its object key, never by the farm's own folders.
        Assert.DoesNotContain(_farm.DataDirectory, failed.Error.Message + failed.Error.ToolStderrTail, StringComparison.Ordinal);
        Assert.Contains("tenants/default/uploads/", failed.Error.Message, StringComparison.Ordinal);
        Assert.Equal(failed.Error.Code, page.GetProperty("failure").GetProperty("code").GetString());
        Assert.Contains(failed.Error.Message, page.GetProperty("failure").GetProperty("text").GetString(), StringComparison.Ordinal);

        // Every preview decoded in the browser at the size the API reports.
        var finished = await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = shortJob });
        var previews = page.GetProperty("previews").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(finished.Outputs.Select(o => o.Name).Order(StringComparer.Ordinal), previews.Keys.Order(StringComparer.Ordinal));
        foreach (var output in finished.Outputs.Where(o => o.Kind is OutputKind.Video or OutputKind.Thumbnail))
        {
            var preview = previews[output.Name];
            Assert.Equal(output.Kind == OutputKind.Video ? "video" : "img", preview.GetProperty("element").GetString());
            Assert.Equal((output.Width, output.Height), (preview.GetProperty("width").GetInt32(), preview.GetProperty("height").GetInt32()));
            if (output.Kind == OutputKind.Video)
            {
                Assert.Equal(0, preview.GetProperty("error").GetInt32());
                Assert.Equal(output.DurationSeconds, preview.GetProperty("duration").GetDouble(), 0.2);
            }
        }

        Assert.Contains(finished.Outputs, o => o.Kind == OutputKind.Video);
        Assert.All(previews.Values.Where(p => p.GetProperty("element").GetString() == "video"), p => Assert.Matches(@"/outputs/thumbnail-vertical-[^/]+\.(jpg|png|webp)/content\?", p.GetProperty("poster").GetString()!)); // the 9:16 cover for the 9:16 video
        // Stages in the order they ran: the probe first, start times never going back.
        Assert.Equal("probe", page.GetProperty("stageKinds")[0].GetString());
        var starts = page.GetProperty("stageStarts").EnumerateArray().Select(s => DateTimeOffset.Parse(s.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(starts.Order(), starts);
        Assert.All(page.GetProperty("stages").EnumerateArray(), s => Assert.Equal("succeeded", s.GetString()));
        Assert.All(page.GetProperty("screenshots").EnumerateArray(), s =>
        {
            var bytes = File.ReadAllBytes(s.GetString()!);
            Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', $"{s} is not a PNG screenshot");
        });
        Assert.Equal(2, page.GetProperty("screenshots").GetArrayLength());

        // One job per page: the newest is the text file, the one before it the short job.
        var paging = page.GetProperty("paging");
        Assert.Equal((failedJob, shortJob, "page 2"), (paging.GetProperty("newest").GetString(), paging.GetProperty("older").GetString(), paging.GetProperty("pageLabel").GetString()));
        Assert.Equal(longJob, page.GetProperty("labelFiltered").GetString());
    }

    private async Task<string> SubmitAsync(string file, Dictionary<string, string>? labels = null)
    {
        var upload = await _farm.Client.UploadFileAsync(file, null, CancellationToken.None);
        var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" };
        request.Labels.Add(labels ?? []);
        var job = await _farm.Client.Jobs.SubmitJobAsync(request);
        return job.Id;
    }
}
