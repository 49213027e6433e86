using System.Text.Json;
using Media.Protos.V1;
using Media.Tests.Shared;

namespace Media.IntegrationTests.Captions;

/// <summary>
/// The whisper backend inside the farm: a worker configured with Media:Speech:Backend=whisper recognises a job's
/// speech with Whisper.net and a random-weights F16 model (no real weights can be had here, so the words are noise),
/// and the captions, their sidecar files and the words document say which backend and model made them.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class WhisperFarmTests(TestMedia media) : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("whisper-farm-").FullName;
    private InProcessFarm _farm = null!;

    public async Task InitializeAsync()
    {
        var model = Path.Combine(_work, "tiny.bin");
        TinyWhisperModel.Write(model);
        _farm = new InProcessFarm(new Dictionary<string, string?>
        {
            ["Media:Speech:Backend"] = "whisper",
            ["Media:Speech:WhisperModel"] = model,
            ["Media:Speech:WhisperThreads"] = "1",
        });
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task CaptionsJob_RecognisedByWhisperNet_NamesTheBackendAndModel()
    {
        const string pattern = """
            apiVersion: media.farm/v1
            name: whisper-captions
            outputs: [{ name: o, preset: youtube }]
            steps:
              - captions: { style: karaoke }
            """;
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var job = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, InlinePattern = pattern });
        job = await _farm.Client.WaitAsync(job.Id, null, timeout.Token);

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        var files = await _farm.Client.DownloadOutputsAsync(job, Path.Combine(_work, job.Id), timeout.Token);
        var words = JsonDocument.Parse(await File.ReadAllBytesAsync(files.Single(f => f.EndsWith("o.words.json", StringComparison.Ordinal)))).RootElement;
        Assert.Equal("whisper.cpp", words.GetProperty("backend").GetString());
        Assert.Equal("tiny", words.GetProperty("model").GetString());
        // What random weights "hear" is noise; that they were asked, by this backend, is the point.
        Assert.Equal(JsonValueKind.Array, words.GetProperty("words").ValueKind);
        Assert.Contains(files, f => f.EndsWith("o.srt", StringComparison.Ordinal));
    }
}
