using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Media.Pipelines.Editing;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>
/// The studio's editing loop end to end: render, read the edit plan, delete a sentence, correct a word, move the crop,
/// change the title, revise; over gRPC and over REST; a stale revision, a malformed plan and hostile word text.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class EditingLoopTests : IAsyncLifetime
{
    private const string Script = "Welcome to the farm. Today we make short videos. Thanks for watching, and see you next time.";
    private readonly InProcessFarm _farm = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("media-editing-").FullName;
    private HttpClient _http = null!;
    private string _uploadId = string.Empty;

    public async Task InitializeAsync()
    {
        await _farm.InitializeAsync();
        _http = new HttpClient { BaseAddress = new Uri(_farm.HttpAddress) };
        var clip = Path.Combine(_folder, "speech.mp4");
        await TestMedia.MakeSpeechClipAsync(clip);
        _uploadId = (await _farm.Client.UploadFileAsync(clip, null, CancellationToken.None)).UploadId;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _farm.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Revise_OverGrpc_CutsTheDeletedSentenceKeepsTimesMovesTheCropAndKeepsRevisionOne()
    {
        var first = await RenderAsync();
        var (revision, json) = await _farm.Client.GetEditPlanAsync(first.Id, "vertical");
        var plan = JsonNode.Parse(json)!;
        var words = plan["captions"]!["words"]!.AsArray();
        var deleted = Sentence(words, "today", "videos");
        var farm = words.First(w => Text(w) == "farm")!;
        farm["text"] = "Farm!";
        plan["captions"]!["words"] = new JsonArray([.. words.Where(w => !deleted.Contains(w)).Select(w => w!.DeepClone())]);
        var keyframes = plan["reframe"]!["crop"]!["keyframes"]!.AsArray();
        var movedX = keyframes[0]!["x"]!.GetValue<double>() - 100;
        foreach (var keyframe in keyframes)
        {
            keyframe!["x"] = movedX;
        }

        plan["texts"]![0]!["text"] = "A new title";

        var revising = await _farm.Client.ReviseOutputAsync(first.Id, "vertical", revision, plan.ToJsonString());
        var second = await _farm.Client.WaitAsync(revising.Id, null, CancellationToken.None);

        Assert.Equal(1, revision);
        Assert.True(second.State == JobState.Succeeded, $"{second.State}: {second.Error}");
        var v1 = second.Outputs.Single(o => o.Name == "vertical.mp4");
        var v2 = second.Outputs.Single(o => o.Name == "vertical.r2.mp4");
        Assert.Equal((1, 2), (v1.Revision, v2.Revision));
        Assert.Equal(first.Outputs.Single(o => o.Name == "vertical.mp4").Sha256, v1.Sha256);

        // Shorter by exactly what the documented rule cuts out of the kept ranges (within one frame of the 30 fps preset).
        var basePlan = EditPlanRevision.Read(json);
        var cut = TranscriptEdits.DeletedSpans(EditPlanRevision.Read(plan.ToJsonString()).Captions!, basePlan.Captions!)
            .Sum(s => basePlan.Ranges.Sum(r => Math.Max(0, Math.Min(r.End, s.End) - Math.Max(r.Start, s.Start))));
        Assert.True(cut > 1, $"a whole sentence is cut, not {cut:0.###} s");
        Assert.InRange(v2.DurationSeconds, v1.DurationSeconds - cut - (1 / 30.0) - 0.001, v1.DurationSeconds - cut + (1 / 30.0) + 0.001);

        // The corrected word is shown at its original time; the deleted sentence's words are gone.
        var files = await _farm.Client.DownloadOutputsAsync(second, Path.Combine(_folder, "grpc"), CancellationToken.None);
        var words1 = OutputWords(files.Single(f => f.EndsWith("-vertical.words.json", StringComparison.Ordinal)));
        var words2 = OutputWords(files.Single(f => f.EndsWith("-vertical.r2.words.json", StringComparison.Ordinal)));
        var before = words1.First(w => w.Text.Equals("farm.", StringComparison.OrdinalIgnoreCase) || w.Text.Equals("farm", StringComparison.OrdinalIgnoreCase));
        var after = words2.Single(w => w.Text == "Farm!");
        Assert.Equal(before.Start, after.Start, 3);
        Assert.DoesNotContain(words2, w => w.Text.StartsWith("videos", StringComparison.OrdinalIgnoreCase) || w.Text.Equals("today", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Farm!", await File.ReadAllTextAsync(files.Single(f => f.EndsWith("-vertical.r2.srt", StringComparison.Ordinal))), StringComparison.Ordinal);

        // The stored plan of revision 2 is what was rendered: the crop moved, the title changed.
        var (number, stored) = await _farm.Client.GetEditPlanAsync(first.Id, "vertical");
        var revised = EditPlanRevision.Read(stored);
        Assert.Equal(2, number);
        Assert.All(revised.Reframe.Crop!.Keyframes, k => Assert.Equal(movedX, k.X, 6));
        Assert.Equal("A new title", revised.Texts[0].Text);
        Assert.NotEqual(await FrameAsync(files.Single(f => f.EndsWith("-vertical.mp4", StringComparison.Ordinal))), await FrameAsync(files.Single(f => f.EndsWith("-vertical.r2.mp4", StringComparison.Ordinal))));

        // Revision 1's plan is still there, and a second edit from revision 1 is stale.
        Assert.Equal(1, (await _farm.Client.GetEditPlanAsync(first.Id, "vertical", revision: 1)).Revision);
        var stale = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.ReviseOutputAsync(first.Id, "vertical", 1, json));
        Assert.Equal(StatusCode.FailedPrecondition, stale.StatusCode);
        Assert.Contains("STALE_REVISION", Details(stale), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revise_OverRest_MalformedPlanNamedByPath_HostileTextRendersLiterally()
    {
        var job = await RenderAsync();

        var got = JsonNode.Parse(await _http.GetStringAsync($"/v1/jobs/{job.Id}/outputs/vertical/plan"))!;
        var plan = got["plan"]!;
        var malformed = plan.DeepClone();
        malformed["titel"] = "typo";
        malformed["ranges"]![0]!["end"] = "soon";
        var refused = await _http.PostAsJsonAsync($"/v1/jobs/{job.Id}/outputs/vertical:revise", new { baseRevision = 1, plan = malformed });
        var refusal = await refused.Content.ReadAsStringAsync();

        Assert.Equal(1, got["revision"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("plan.titel", refusal, StringComparison.Ordinal);
        Assert.Contains("plan.ranges[0].end", refusal, StringComparison.Ordinal);

        const string Hostile = "{\\b1}<i>x</i>&\\N";
        plan["captions"]!["words"]![0]!["text"] = Hostile;
        var accepted = await _http.PostAsJsonAsync($"/v1/jobs/{job.Id}/outputs/vertical:revise", new { baseRevision = 1, plan });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var revised = await _farm.Client.WaitAsync(job.Id, null, CancellationToken.None);

        Assert.True(revised.State == JobState.Succeeded, $"{revised.State}: {revised.Error}");
        var files = await _farm.Client.DownloadOutputsAsync(new Job { Id = revised.Id, Outputs = { revised.Outputs.Where(o => o.Revision == 2) } }, Path.Combine(_folder, "rest"), CancellationToken.None);
        Assert.Contains(Hostile, await File.ReadAllTextAsync(files.Single(f => f.EndsWith(".srt", StringComparison.Ordinal))), StringComparison.Ordinal);
        var ass = await File.ReadAllTextAsync(files.Single(f => f.EndsWith(".ass", StringComparison.Ordinal)));
        Assert.DoesNotContain("{\\b1}", ass, StringComparison.Ordinal);
        Assert.Contains("｛＼b1｝<i>x</i>&＼N", ass, StringComparison.Ordinal);
    }

    private async Task<Job> RenderAsync()
    {
        var request = new SubmitJobRequest { Source = new Source { UploadId = _uploadId }, PatternName = "tiktok-talking-head" };
        request.Parameters.Add("script", Script);
        request.Parameters.Add("title", "The first title");
        var job = await _farm.Client.SubmitAndWaitAsync(request, null, CancellationToken.None);
        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Error}");
        return job;
    }

    private static string Text(JsonNode? word) => word!["text"]!.GetValue<string>().Trim('.', ',', '!').ToLowerInvariant();

    // The words from the one whose text is `from` to the one whose text is `to`.
    private static List<JsonNode?> Sentence(JsonArray words, string from, string to)
    {
        var start = words.ToList().FindIndex(w => Text(w) == from);
        var end = words.ToList().FindIndex(start, w => Text(w) == to);
        Assert.True(start >= 0 && end >= start, $"'{from} … {to}' not among the words");
        return [.. words.Skip(start).Take(end - start + 1)];
    }

    private static List<(string Text, double Start)> OutputWords(string wordsJson)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(wordsJson));
        return [.. document.RootElement.GetProperty("words").EnumerateArray().Select(w => (w.GetProperty("text").GetString()!, w.GetProperty("start").GetDouble()))];
    }

    private async Task<string> FrameAsync(string video)
    {
        var frame = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".png");
        await TestMedia.FFmpegAsync("-ss", "0.2", "-i", video, "-frames:v", "1", "-vf", "scale=108:192", frame);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(frame)));
    }

    // The ErrorInfo reasons in the rich status a gRPC client reads from the trailers.
    private static string Details(RpcException ex) =>
        string.Join(' ', ex.Trailers.Where(t => t.Key == "grpc-status-details-bin")
            .SelectMany(t => Google.Rpc.Status.Parser.ParseFrom(t.ValueBytes).Details)
            .Where(d => d.Is(Google.Rpc.ErrorInfo.Descriptor))
            .Select(d => d.Unpack<Google.Rpc.ErrorInfo>().Reason));
}
