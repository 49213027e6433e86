using System.Text.Json;
using Media.Pipelines.Editing;
using Media.Pipelines.Speech;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>
/// jumpCuts with fillers on speech made for the test (espeak-ng saying five hesitations between real words), with the
/// filmed script given so the words are timed against the audio: every filler is cut from the video and left out of the
/// captions, and no real word is clipped (each lies whole inside what is kept).
/// </summary>
public sealed class FillerWordsTests : IAsyncLifetime
{
    private const string Script = "So um I think we should uh start the meeting now. Erm the first point is uh about the budget. Um we need more money.";
    private static readonly string[] Fillers = ["um", "uh", "erm"];
    private readonly string _folder = Directory.CreateTempSubdirectory("fillers-").FullName;
    private readonly InProcessFarm _farm = new();

    public Task InitializeAsync() => _farm.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Fillers_EveryHesitationCut_NoRealWordClipped_CaptionsWithoutThem()
    {
        var speech = Path.Combine(_folder, "fillers.wav");
        var result = await TestMedia.RunAsync("espeak-ng", ["-s", "150", "-w", speech, Script]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var clip = Path.Combine(_folder, "fillers.mp4");
        var seconds = (await TestMedia.ProbeAsync(speech)).DurationSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", $"testsrc2=size=1280x720:rate=30:duration={seconds}", "-i", speech, "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", seconds, clip);
        const string pattern = """
            apiVersion: media.farm/v1
            name: no-fillers
            outputs: [{ name: clean, preset: youtube }]
            steps:
              - jumpCuts: { minSilence: 0.6, padding: 0.08, fillers: true }
              - captions: { style: boxed }
            """;
        var request = new SubmitJobRequest { Source = new Source { UploadId = (await _farm.Client.UploadFileAsync(clip, null, CancellationToken.None)).UploadId }, InlinePattern = pattern };
        request.Parameters.Add("script", Script);

        var job = await _farm.Client.SubmitAndWaitAsync(request, null, CancellationToken.None);

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        var files = await _farm.Client.DownloadOutputsAsync(job, _folder, CancellationToken.None);
        var analysis = JsonDocument.Parse(await File.ReadAllBytesAsync(files.Single(f => f.EndsWith("analysis.json", StringComparison.Ordinal)))).RootElement;
        var words = analysis.GetProperty("transcript").GetProperty("words").EnumerateArray()
            .Select(w => new Word(w.GetProperty("text").GetString()!, w.GetProperty("start").GetDouble(), w.GetProperty("end").GetDouble(), 0)).ToList();
        var plan = EditPlanRevision.Read(await File.ReadAllTextAsync(files.Single(f => f.EndsWith("clean.plan.json", StringComparison.Ordinal))));
        bool Kept(double t) => plan.Ranges.Any(r => t >= r.Start && t < r.End);

        var fillers = words.Where(w => Fillers.Contains(WordText.Normalize(w.Text))).ToList();
        var real = words.Except(fillers).ToList();
        Assert.Equal(5, fillers.Count);
        Assert.All(fillers, f => Assert.False(Kept((f.Start + f.End) / 2), $"filler '{f.Text}' at {f.Start:0.00}-{f.End:0.00} s was kept"));
        Assert.All(real, w => Assert.True(Kept(w.Start + 0.001) && Kept(w.End - 0.001), $"'{w.Text}' at {w.Start:0.00}-{w.End:0.00} s was clipped"));
        Assert.DoesNotContain(plan.Captions!.Words, w => Fillers.Contains(WordText.Normalize(w.Text)));
        Assert.Equal(real.Count, plan.Captions.Words.Count);
        var srt = await File.ReadAllTextAsync(files.Single(f => f.EndsWith("clean.srt", StringComparison.Ordinal)));
        Assert.DoesNotContain(" um ", " " + srt.ToLowerInvariant().Replace('\n', ' ') + " ", StringComparison.Ordinal);
        var output = job.Outputs.Single(o => o.Name == "clean.mp4");
        Assert.True(output.DurationSeconds < job.SourceInfo.DurationSeconds - fillers.Sum(f => f.End - f.Start) * 0.8, $"{output.DurationSeconds:0.##} s of {job.SourceInfo.DurationSeconds:0.##} s");
    }
}
