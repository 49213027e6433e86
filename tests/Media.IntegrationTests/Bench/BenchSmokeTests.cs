namespace Media.IntegrationTests.Bench;

/// <summary>
/// Every benchmark and evaluation command of media-bench, run for seconds on generated media, so none can break
/// unnoticed (bench-patterns once crashed for weeks). Each must finish with exit code 0 and print its numbers.
/// </summary>
public sealed class BenchSmokeTests(MiniSharedMedia media) : IClassFixture<MiniSharedMedia>
{
    [Fact]
    public async Task Bench_RenderAndLatency_ReportsRatiosAgainstBareFFmpeg()
    {
        var output = await RunAsync("bench", "--clip", media.Clip, "--repeat", "1", "--jobs", "2");

        Assert.Matches(@"farm render stage\s+median [0-9.]+ s\s+ratio [0-9.]+x bare", output);
        Assert.Contains("Submit-to-start latency", output, StringComparison.Ordinal);
        // Once as served (naming what ran beside the render stage), once with one slot and nothing beside it.
        Assert.Matches(@"beside the render stage \(mean seconds of overlap per run\): |beside the render stage: nothing", output);
        Assert.Contains("# Render overhead, 1 worker slot: the render stage alone", output, StringComparison.Ordinal);
        Assert.Contains("beside the render stage: nothing", output[output.IndexOf("1 worker slot", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchPatterns_CaptionedPattern_RendersBareAndNaiveToo()
    {
        var output = await RunAsync("bench-patterns", "--clip", media.Clip, "--seconds", "3", "--repeat", "1", "--pattern", "tiktok-talking-head");

        Assert.Matches(@"farm/bare overhead [0-9.]+x", output);
        Assert.Matches(@"single-pass speedup [0-9.]+x", output);
    }

    [Fact]
    public async Task BenchRevise_EditedPlan_ReportsTheRevisionAgainstBareFFmpeg()
    {
        var output = await RunAsync("bench-revise", "--clip", media.Clip, "--seconds", "3", "--repeat", "1");

        Assert.Matches(@"farm revision render stage\s+median [0-9.]+ s\s+ratio [0-9.]+x bare", output);
        Assert.Matches(@"ReviseOutput -> SUCCEEDED\s+median [0-9.]+ s", output);
    }

    [Fact]
    public async Task BenchScale_OnePassAndChunks_ReportsTimesAndTheMergeAgainstOnePass()
    {
        var output = await RunAsync("bench-scale", "--clip", media.Clip, "--minutes", "0.3", "--chunk", "8", "--pattern", "reframe-vertical");

        Assert.Matches(@"one pass, 1 worker\s+0\s+[0-9.]+ s\s+1\.00x", output);
        Assert.Matches(@"chunks, 2 workers\s+2\s+[0-9.]+ s", output);
        Assert.Matches(@"chunks, 2 workers, pinned\s+2\s+[0-9.]+ s", output);
        Assert.Matches(@" 8 workers: predicted analysis ready\s+[0-9.]+ s, first clip\s+[0-9.]+ s", output);
        Assert.Matches(@"face samples\s+([0-9]+) vs \1; identical \(time and box\): \1", output);
        Assert.Matches(@"scene cuts\s+([0-9]+) vs \1; identical: yes", output);
    }

    [Fact]
    public async Task BenchScaleRender_OneRenderAndParts_SameFramesAndAModel()
    {
        // 12 s in 4 s parts: farm processes confined to one and two cores, then the parted output against the single one.
        var output = await RunAsync("bench-scale", "--render", "--clip", media.Clip, "--minutes", "0.2", "--chunk", "4", "--workers", "2");

        Assert.Matches(@"one render, 1 worker\s+0\s+[0-9.]+ s\s+1\.00x", output);
        Assert.Matches(@"parts, 2 workers\s+3\s+[0-9.]+ s", output);
        Assert.Matches(@"parts, 2 pinned\s+3\s+[0-9.]+ s", output);
        Assert.Matches(@"sound [0-9.]+ s", output);
        Assert.Matches(@" 8 workers: predicted\s+[0-9.]+ s", output);
        Assert.Matches(@"frames\s+([0-9]+) vs \1; timestamps identical: yes", output);
    }

    [Fact]
    public async Task BenchLoad_BothTransports_LoseAndDuplicateNothing()
    {
        var output = await RunAsync("bench-load", "--jobs", "4", "--clients", "2", "--tenants", "2", "--transport", "both");

        Assert.Contains("inprocess  all ended", output, StringComparison.Ordinal);
        Assert.Contains("kafka      all ended", output, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(output, "4 succeeded, 0 failed, 0 lost, 0 duplicated"));
    }

    [Fact]
    public async Task BenchTransport_MockKafkaAndInProcess_ReportThroughputAndLatency()
    {
        var output = await RunAsync("bench-transport", "--messages", "100", "--jobs", "2");

        Assert.Matches(@"kafka\s+throughput\s+[0-9]+ msg/s", output);
        Assert.Matches(@"in-process submit -> stage RUNNING \(client\) p50\s+[0-9.]+ ms", output);
    }

    [Fact]
    public async Task SpeakersEval_GeneratedFootage_BuildsTheTwoPersonClipAndReports()
    {
        // The generated pictures have no faces: the command must say so and still report, not crash.
        var output = await RunAsync("speakers-eval", media.Folder, "--minutes", "0.1");

        Assert.Contains("# Two speakers, side by side (960x576", output, StringComparison.Ordinal);
        Assert.Contains("no face found", output, StringComparison.Ordinal);
        Assert.Contains("# layout: split on the same footage", output, StringComparison.Ordinal);
        Assert.Matches(@"with speakers \(8 fps, every face\) [0-9.]+ s, real-time factor [0-9.]+ \([0-9.]+x\)", output);
        Assert.Contains("RESULT: some goals missed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaptionsEval_GeneratedSpeech_ReportsErrorRatesAndSpeed()
    {
        var output = await RunAsync("captions-eval", media.Folder, "--minutes", "0.1");

        Assert.Matches(@"free recognition WER [0-9.]+ ?% over [0-9]+ words", output);
        Assert.Contains("Word timing against the GRID alignment", output, StringComparison.Ordinal);
        Assert.Contains("Silero VAD", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HooksEval_GeneratedMedia_ReportsCutsFacesSpeechAndSpeed()
    {
        var output = await RunAsync("hooks", "eval", media.Folder, "--minutes", "0.1");

        Assert.Contains("# Scene cuts", output, StringComparison.Ordinal);
        Assert.Matches(@"analysis [0-9.]+ s = real-time factor [0-9.]+", output);
        Assert.Contains("face detector", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatternsEval_TwoPatternsOnAClip_EveryRenderConforms()
    {
        var output = await RunAsync("patterns-eval", Path.GetDirectoryName(media.Clip)!, "--pattern", "reframe-vertical", "--pattern", "tiktok-talking-head");

        Assert.Matches(@"([0-9]+) of \1 pattern renders conform", output);
    }

    [Fact]
    public async Task ThumbnailsEval_Clips_WritesCoversAndReportsSpeed()
    {
        var covers = Path.Combine(media.Folder, "covers");

        var output = await RunAsync("thumbnails-eval", Path.GetDirectoryName(media.Clip)!, "--out", covers, "--frames", "1");

        Assert.Matches(@"compositing \(decode excluded, one thread\): [0-9.]+ composites/s", output);
        Assert.NotEmpty(Directory.GetFiles(covers, "*.jpg", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task BenchVariants_OneDecodeAndThree_TimesAndIdenticalOutputs()
    {
        // Two small sources (one HEVC, one H.264), 4 s each: three shapes by one ffmpeg and by three, whole and in 2 s parts.
        var output = await RunAsync("bench-variants", "--seconds", "4", "--parts", "2", "--sources", "480x270:hevc,320x180:h264");

        Assert.Matches(@"three ffmpegs, one per output\s+median\s+[0-9.]+ s\s+1\.00x", output);
        Assert.Matches(@"one ffmpeg, one decode, three encoders median\s+[0-9.]+ s\s+[0-9.]+x \(480x270 HEVC\)", output);
        Assert.Matches(@"one ffmpeg, one decode, three encoders median\s+[0-9.]+ s\s+[0-9.]+x \(320x180 H264\)", output);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(output, "outputs identical to the separate renders \\(decoded picture and sound\\): 3/3"));
        Assert.Matches(@"in 2 parts of 2 s: one ffmpeg per part\s+median\s+[0-9.]+ s\s+[0-9.]+x \(480x270 HEVC, parts\)", output);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(output, "parts identical to the separate renders \\(decoded picture\\): 6/6"));
    }

    [Fact]
    public async Task BenchLateClip_ReadFromBeforeTheClip_SameOutputAsFromTheStart()
    {
        var output = await RunAsync("bench-late-clip", "--clip", media.Clip, "--minutes", "0.4", "--length", "3", "--repeat", "1");

        Assert.Matches(@"source decoded from its start\s+median\s+[0-9.]+ s\s+1\.00x", output);
        Assert.Matches(@"source read from\s+[0-9.]+ s \(the farm\)\s+median\s+[0-9.]+ s\s+[0-9.]+x", output);
        Assert.Contains("decoded picture identical: yes", output, StringComparison.Ordinal);
        // The mini clip looped has an audio timestamp jump at every join: within a millisecond of the whole-source render.
        Assert.Matches(@"decoded sound identical: (yes|no; largest offset from the whole-source render 0\.[0-9]{2} ms)", output);
    }

    [Fact]
    public async Task BenchChaos_KillsAndOutages_EveryInvariantHolds()
    {
        // The soak in small: 10 jobs, 2 API replicas and 2 workers as processes, 4 kills, every kind of outage once or more.
        var output = await RunAsync("bench-chaos", "--jobs", "10", "--clients", "4", "--tenants", "2", "--kills", "4", "--kill-every", "2", "--outage-seconds", "2", "--workers", "2");

        Assert.Contains("PASS  every job succeeded: 10/10", output, StringComparison.Ordinal);
        Assert.Matches(@"kills 4 \(", output);
        Assert.Matches(@"outages: storage [1-9], bus [1-9], database restarts 1; retry storm [0-9]+ resubmissions", output);
        Assert.Contains("PASS  no job or stage run to success twice: 10 logs replayed", output, StringComparison.Ordinal);
        Assert.Contains("all invariants hold", output, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(params string[] arguments)
    {
        var result = await TestMedia.RunAsync("dotnet", [BenchDll(), .. arguments]);
        Assert.True(result.ExitCode == 0, $"media-bench {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
        return result.Stdout;
    }

    private static string BenchDll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(RepositoryPaths.Root(), "cli", "Media.Bench", "bin", configuration, "net10.0", "linux-x64", "media-bench.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build media-bench first.", dll);
    }
}
