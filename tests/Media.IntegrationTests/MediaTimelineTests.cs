using System.Globalization;
using Media.Pipelines;
using Media.Pipelines.Analysis;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Protos.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Media.IntegrationTests;

/// <summary>
/// Media that lies about its timing: audio whose packets jump (a gap in the timestamps, as when clips of different
/// sample rates are joined by stream copy), audio that starts after the picture, and a clip cut by stream copy between
/// keyframes, whose MP4 edit list hides 3 s of frames it still carries (what phones and trimming apps write). Analysis must find speech where it
/// plays with the picture, captions must be timed to it, and the render must put the sound under the same frames: a
/// decoder alone hands out the samples back to back, and everything after the gap would come 10 s early.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class MediaTimelineTests : IAsyncLifetime
{
    private const AnalysisNeeds SpeechAndLoudness = AnalysisNeeds.Speech | AnalysisNeeds.Loudness;
    private const string First = "Welcome to the farm. Today we make short videos.";
    private const string Second = "Every worker takes a part of the source.";

    private readonly string _folder = Directory.CreateTempSubdirectory("timeline-").FullName;
    private ServiceProvider _services = null!;

    private string Gap => Path.Combine(_folder, "gap.mp4");

    private string Late => Path.Combine(_folder, "late.mp4");

    private string EditList => Path.Combine(_folder, "edit-list.mp4");

    public async Task InitializeAsync()
    {
        _services = TestPipelines.Services();

        // 30 s: the first sentence at 2 s, the second at 22 s, silence between; then the audio packets from 9 s to 19 s
        // dropped by stream copy, so the file's audio jumps from 9 s to 19 s (the picture runs on).
        var first = await SpeakAsync("first.wav", First);
        var second = await SpeakAsync("second.wav", Second);
        var whole = Path.Combine(_folder, "whole.mp4");
        await TestMedia.FFmpegAsync(
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=30", "-i", first, "-i", second,
            "-filter_complex", "[1:a]aresample=48000,adelay=2000:all=1[a1];[2:a]aresample=48000,adelay=22000:all=1[a2];[a1][a2]amix=inputs=2:normalize=0,apad=whole_dur=30[a]",
            "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "30", whole);
        await TestMedia.FFmpegAsync("-i", whole, "-c", "copy", "-bsf:a", "noise=drop=between(pts*tb\\,9\\,19)", Gap);

        // Cut at 13 s by stream copy: the keyframes are 10 s apart (libx264's default), so the file keeps the frames
        // from 10 s and an edit list tells players to start at 13 s. The second sentence is said at 9 s of that
        // timeline; read without the edit list it would come at 12 s, over 17 s + 3 s of picture.
        await TestMedia.FFmpegAsync("-ss", "13", "-i", whole, "-c", "copy", EditList);

        // 10 s of picture; the sound (the second sentence) starts 3 s in.
        await TestMedia.FFmpegAsync(
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=10", "-itsoffset", "3", "-i", second,
            "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", Late);
    }

    public Task DisposeAsync()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Analysis_AudioWithAGap_FindsSpeechWhereItPlays()
    {
        var analysis = await AnalyzeAsync(Gap, SpeechAndLoudness);

        var segments = analysis.Speech!.Segments;
        Assert.Contains(segments, s => s.Start is > 1.5 and < 2.8);
        Assert.Contains(segments, s => s.Start is > 21.5 and < 22.8);
        Assert.DoesNotContain(segments, s => s.End > 9 && s.Start < 21); // nothing is said in the gap
        var momentary = analysis.Loudness!.Momentary;
        Assert.True(momentary[(int)(23 / analysis.Loudness.StepSeconds)] > -45, "the second sentence is not heard at 23 s");
        Assert.True(momentary[(int)(14 / analysis.Loudness.StepSeconds)] < -70, "something is heard in the gap at 14 s");
    }

    [Fact]
    public async Task Analysis_AudioStartingLate_FindsSpeechAfterItsStart()
    {
        var analysis = await AnalyzeAsync(Late, SpeechAndLoudness);

        Assert.True(analysis.Speech!.Segments.Count > 0);
        Assert.InRange(analysis.Speech.Segments[0].Start, 2.9, 3.8);
    }

    [Fact]
    public async Task Farm_AudioWithAGap_CaptionsAndSoundStayWithThePicture()
    {
        await using var farm = new InProcessFarm();
        await farm.InitializeAsync();
        var upload = await farm.Client.UploadFileAsync(Gap, null, CancellationToken.None);
        var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "captions-only" };
        request.Parameters.Add("script", $"{First} {Second}");

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var job = await farm.Client.WaitAsync((await farm.Client.Jobs.SubmitJobAsync(request)).Id, null, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "out")).FullName;
        var files = await farm.Client.DownloadOutputsAsync(job, folder, timeout.Token);
        // The caption of the second sentence starts when it is said (22 s), not 10 s early.
        var srt = await File.ReadAllTextAsync(files.Single(f => f.EndsWith(".srt", StringComparison.Ordinal)));
        var every = srt.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Single(cue => cue.Contains("Every", StringComparison.OrdinalIgnoreCase));
        var start = TimeSpan.ParseExact(every.Split('\n')[1][..12], @"hh\:mm\:ss\,fff", CultureInfo.InvariantCulture).TotalSeconds;
        Assert.InRange(start, 21.5, 23);
        // And the rendered video says it at 22 s too, with the picture's full length.
        var video = files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal));
        var rendered = await AnalyzeAsync(video, SpeechAndLoudness);
        Assert.InRange(rendered.DurationSeconds, 29.5, 30.5);
        Assert.Contains(rendered.Speech!.Segments, s => s.Start is > 21.5 and < 22.8);
        Assert.DoesNotContain(rendered.Speech.Segments, s => s.End > 9 && s.Start < 21);
    }

    [Fact]
    public async Task Analysis_ClipWithAnEditList_FindsSpeechOnTheEditedTimeline()
    {
        var analysis = await AnalyzeAsync(EditList, SpeechAndLoudness);

        Assert.InRange(analysis.DurationSeconds, 16.9, 17.1);
        Assert.Contains(analysis.Speech!.Segments, s => s.Start is > 8.5 and < 9.8);
        Assert.DoesNotContain(analysis.Speech.Segments, s => s.Start < 8.5);
    }

    [Fact]
    public async Task Farm_ClipWithAnEditList_RendersTheEditedTimeline_CaptionsWithIt()
    {
        await using var farm = new InProcessFarm();
        await farm.InitializeAsync();
        var upload = await farm.Client.UploadFileAsync(EditList, null, CancellationToken.None);
        var request = new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "captions-only" };
        request.Parameters.Add("script", Second);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var job = await farm.Client.WaitAsync((await farm.Client.Jobs.SubmitJobAsync(request)).Id, null, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "out-edit-list")).FullName;
        var files = await farm.Client.DownloadOutputsAsync(job, folder, timeout.Token);
        var srt = await File.ReadAllTextAsync(files.Single(f => f.EndsWith(".srt", StringComparison.Ordinal)));
        var start = TimeSpan.ParseExact(srt.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[0].Split('\n')[1][..12], @"hh\:mm\:ss\,fff", CultureInfo.InvariantCulture).TotalSeconds;
        Assert.InRange(start, 8.5, 9.8);

        // The hidden 3 s are not rendered: the output is the edited 17 s, and says the sentence at 9 s.
        var video = files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal));
        var rendered = await AnalyzeAsync(video, SpeechAndLoudness);
        Assert.InRange(rendered.DurationSeconds, 16.8, 17.2);
        Assert.Contains(rendered.Speech!.Segments, s => s.Start is > 8.5 and < 9.8);
    }

    private async Task<SourceAnalysis> AnalyzeAsync(string path, AnalysisNeeds needs)
    {
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(path, CancellationToken.None);
        var work = Directory.CreateDirectory(Path.Combine(_folder, "work-" + Guid.NewGuid().ToString("N"))).FullName;
        return await _services.GetRequiredService<SourceAnalyzer>().AnalyzeAsync(path, probe, needs, work, _ => { }, CancellationToken.None);
    }

    private async Task<string> SpeakAsync(string name, string text)
    {
        var wav = Path.Combine(_folder, name);
        var spoken = await TestMedia.RunAsync("espeak-ng", ["-s", "160", "-w", wav, text]);
        Assert.True(spoken.ExitCode == 0, $"espeak-ng failed (scripts/setup.sh installs it): {spoken.Stderr}");
        return wav;
    }
}
