using System.Collections.Concurrent;
using System.Diagnostics;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>One trace from the API call through the bus to the worker and its ffmpeg; metrics and probes over plain HTTP.</summary>
[Collection(MediaCollection.Name)]
public sealed class TelemetryTests(TestMedia media) : IAsyncLifetime, IDisposable
{
    private readonly InProcessFarm _farm = new();
    private readonly ConcurrentBag<Activity> _finished = [];
    private readonly ActivityListener _listener = new();

    public Task InitializeAsync()
    {
        _listener.ShouldListenTo = source => source.Name.StartsWith("Media.Farm", StringComparison.Ordinal) || source.Name == "Microsoft.AspNetCore";
        _listener.Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded;
        _listener.ActivityStopped = _finished.Add;
        ActivitySource.AddActivityListener(_listener);
        return _farm.InitializeAsync();
    }

    public Task DisposeAsync() => _farm.DisposeAsync();

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Trace_RunsFromTheApiCallThroughTheBusToTheWorkerAndFFmpeg()
    {
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var job = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.Equal(JobState.Succeeded, (await _farm.Client.WaitAsync(job.Id, null, timeout.Token)).State);
        await Task.Delay(200, timeout.Token);

        var mine = _finished.Where(a => a.TraceId == TraceOf("dispatch probe")).ToList();
        var names = mine.Select(a => a.DisplayName).ToHashSet();
        Assert.Contains(mine, a => a.Source.Name == "Microsoft.AspNetCore" && a.DisplayName.Contains("SubmitJob", StringComparison.Ordinal));
        foreach (var expected in new[] { "dispatch probe", "stage probe", "ffprobe", "orchestrate completed", "dispatch render", "stage render", "ffmpeg", "stage thumbnail" })
        {
            Assert.True(names.Contains(expected), $"'{expected}' is not in the job's trace: {string.Join(", ", names.Order())}");
        }

        var stage = mine.First(a => a.DisplayName == "stage render");
        Assert.Equal(job.Id, stage.GetTagItem("media.job_id"));
        Assert.Contains(mine, a => a.DisplayName == "ffmpeg" && a.ParentSpanId != default && Equals(a.GetTagItem("process.exit.code"), 0));

        ActivityTraceId TraceOf(string name) =>
            _finished.First(a => a.DisplayName == name && Equals(a.GetTagItem("media.job_id"), job.Id)).TraceId;
    }

    [Fact]
    public async Task MetricsAndProbes_AnswerOnThePlainHttpPort()
    {
        var upload = await _farm.Client.UploadFileAsync(media.Silent, null, CancellationToken.None);
        var job = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _farm.Client.WaitAsync(job.Id, null, timeout.Token);
        using var http = new HttpClient { BaseAddress = new Uri(_farm.HttpAddress) };

        var live = await http.GetAsync("/healthz", timeout.Token);
        var ready = await http.GetStringAsync("/readyz", timeout.Token);
        string metrics;
        do
        {
            // The exporter caches a scrape briefly; the queue gauge appears after the first sweep.
            await Task.Delay(300, timeout.Token);
            metrics = await http.GetStringAsync("/metrics", timeout.Token);
        }
        while (!metrics.Contains("media_queue_depth", StringComparison.Ordinal) || !metrics.Contains("media_jobs_finished", StringComparison.Ordinal));

        Assert.True(live.IsSuccessStatusCode);
        Assert.StartsWith("Healthy", ready, StringComparison.Ordinal);
        foreach (var check in new[] { "job-store: Healthy", "bus: Healthy", "storage: Healthy" })
        {
            Assert.Contains(check, ready, StringComparison.Ordinal);
        }

        foreach (var series in new[] { "media_jobs_submitted_total", "media_jobs_finished_total", "media_stage_duration_seconds_bucket", "media_stage_real_time_factor", "media_storage_uploaded_bytes_total", "media_queue_depth" })
        {
            Assert.Contains(series, metrics, StringComparison.Ordinal);
        }

        Assert.Contains("kind=\"render\"", metrics, StringComparison.Ordinal);
    }
}
