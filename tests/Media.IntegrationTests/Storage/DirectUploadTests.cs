using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Core;
using Media.Protos.V1;
using Microsoft.Extensions.DependencyInjection;
using Media.JobApi.Uploads;

namespace Media.IntegrationTests.Storage;

/// <summary>Presigned multipart uploads straight to S3 (s3rver), completed and verified through the API.</summary>
[Collection(S3Collection.Name)]
public sealed class DirectUploadTests(S3Server server) : IAsyncLifetime
{
    private const int PartBytes = 5 * 1024 * 1024;

    private readonly string _folder = Directory.CreateTempSubdirectory("direct-upload-").FullName;
    private InProcessFarm _farm = null!;

    public async Task InitializeAsync()
    {
        _farm = new InProcessFarm(server.FarmConfiguration($"direct-{Guid.NewGuid():N}/"));
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task DirectUpload_ThreeParts_IsAssembledVerifiedAndUsableAsAJobSource()
    {
        var clip = await MakeElevenMebibyteClipAsync();
        var progress = new List<long>();
        var upload = await _farm.Client.UploadDirectAsync(clip, (sent, _) => progress.Add(sent), PartBytes, CancellationToken.None);
        var again = await _farm.Client.Uploads.CompleteUploadAsync(new CompleteUploadRequest { UploadId = upload.UploadId, Parts = { new CompletedPart { PartNumber = 1, Etag = "x" } } });
        var job = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" });

        var bytes = await File.ReadAllBytesAsync(clip);
        Assert.Equal((11L * 1024 * 1024, Convert.ToHexStringLower(SHA256.HashData(bytes))), (upload.SizeBytes, upload.Sha256));
        Assert.Equal([5L * 1024 * 1024, 10L * 1024 * 1024, 11L * 1024 * 1024], progress);
        Assert.Equal(upload, again);
        Assert.Equal(JobState.Queued, job.State);
    }

    [Fact]
    public async Task DirectUpload_StoppedAfterOnePart_ANewClientSendsOnlyTheRestOfTheSameUpload()
    {
        var clip = await MakeElevenMebibyteClipAsync();
        var journals = Path.Combine(_folder, "journals");
        using var stop = new CancellationTokenSource();
        using (var first = new Media.Client.FarmClient(_farm.Client.Address) { ResumeDirectory = journals })
        {
            // The process "dies" once the first part is stored: nothing after it is sent.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.UploadDirectAsync(clip, (sent, _) => stop.Cancel(), PartBytes, stop.Token));
        }

        var journal = Assert.Single(Directory.GetFiles(journals));
        var uploadId = JsonDocument.Parse(await File.ReadAllTextAsync(journal)).RootElement.GetProperty("UploadId").GetString();
        var progress = new List<long>();
        using var second = new Media.Client.FarmClient(_farm.Client.Address) { ResumeDirectory = journals };
        var upload = await second.UploadDirectAsync(clip, (sent, _) => progress.Add(sent), PartBytes, CancellationToken.None);

        Assert.Equal(uploadId, upload.UploadId);
        // The first report is the part stored before the stop; only the two others were sent again.
        Assert.Equal([5L * 1024 * 1024, 10L * 1024 * 1024, 11L * 1024 * 1024], progress);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(clip))), upload.Sha256);
        Assert.Empty(Directory.GetFiles(journals));
    }

    [Fact]
    public async Task ExpiredUpload_NeverCompleted_IsAbortedInStorageAndForgotten()
    {
        var plan = await _farm.Client.Uploads.CreateUploadAsync(new CreateUploadRequest { FileName = "x.mp4", SizeBytes = PartBytes + 1000, Sha256 = new string('c', 64), PartSizeBytes = PartBytes });
        var first = await PutAsync(plan.Parts[0].Url, new byte[PartBytes]);
        var uploads = _farm.Services.GetRequiredService<Media.JobApi.Uploads.DirectUploads>();

        // Just expired is not yet abandoned (a completion may be assembling the parts); an hour later it is.
        var early = await uploads.AbandonExpiredAsync(plan.ExpiresAt.ToDateTimeOffset().AddMinutes(1), CancellationToken.None);
        var late = await uploads.AbandonExpiredAsync(plan.ExpiresAt.ToDateTimeOffset().AddHours(1).AddSeconds(1), CancellationToken.None);
        var complete = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.Uploads.CompleteUploadAsync(
            new CompleteUploadRequest { UploadId = plan.UploadId, Parts = { new CompletedPart { PartNumber = 1, Etag = first } } }).ResponseAsync);

        // s3rver has no AbortMultipartUpload (405): the abort's storage side is not exercised here, and its failure
        // must not keep the expired plan alive.
        Assert.Equal((0, 1), (early.Forgotten, late.Forgotten));
        Assert.Equal(StatusCode.NotFound, complete.StatusCode);
    }

    [Fact]
    public async Task CompleteUpload_BytesDoNotMatchTheDeclaredChecksum_RefusedNamingTheFieldAndForgotten()
    {
        var plan = await _farm.Client.Uploads.CreateUploadAsync(new CreateUploadRequest { FileName = "x.mp4", SizeBytes = 1000, Sha256 = new string('a', 64) });
        var etag = await PutAsync(Assert.Single(plan.Parts).Url, new byte[1000]);

        var error = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.Uploads.CompleteUploadAsync(
            new CompleteUploadRequest { UploadId = plan.UploadId, Parts = { new CompletedPart { PartNumber = 1, Etag = etag } } }).ResponseAsync);
        var gone = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.Uploads.CompleteUploadAsync(
            new CompleteUploadRequest { UploadId = plan.UploadId, Parts = { new CompletedPart { PartNumber = 1, Etag = etag } } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("sha256: checksum mismatch", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task CreateAndCompleteUpload_BadRequests_ReportEveryField()
    {
        var create = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.Uploads.CreateUploadAsync(
            new CreateUploadRequest { FileName = "x.mp4", SizeBytes = 0, Sha256 = "ABC", PartSizeBytes = 1024 }).ResponseAsync);
        var plan = await _farm.Client.Uploads.CreateUploadAsync(new CreateUploadRequest { FileName = "x.mp4", SizeBytes = PartBytes + 1000, Sha256 = new string('b', 64), PartSizeBytes = PartBytes });
        var order = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.Uploads.CompleteUploadAsync(
            new CompleteUploadRequest { UploadId = plan.UploadId, Parts = { new CompletedPart { PartNumber = 2, Etag = "" } } }).ResponseAsync);
        // Only the first of the two parts arrives (s3rver crashes on completing a part that was never sent, so the
        // storage-side refusal real S3 gives for that is not exercised here).
        var etag = await PutAsync(plan.Parts[0].Url, new byte[PartBytes]);
        var missing = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.Uploads.CompleteUploadAsync(
            new CompleteUploadRequest { UploadId = plan.UploadId, Parts = { new CompletedPart { PartNumber = 1, Etag = etag } } }).ResponseAsync);

        Assert.Equal(2, plan.Parts.Count);
        Assert.Equal((PartBytes, 1000L), (plan.Parts[1].Offset, plan.Parts[1].SizeBytes));
        Assert.Equal(StatusCode.InvalidArgument, create.StatusCode);
        Assert.Contains("size_bytes", create.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("sha256", create.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("part_size_bytes", create.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, order.StatusCode);
        Assert.Contains("parts[0].part_number", order.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("parts[0].etag", order.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains($"size_bytes: declared {PartBytes + 1000} bytes but the parts hold {PartBytes}", missing.Status.Detail, StringComparison.Ordinal);
    }

    // A real clip followed by noise: 11 MiB, so three 5 MiB parts, the last one short. ffprobe still reads it.
    private async Task<string> MakeElevenMebibyteClipAsync()
    {
        var clip = Path.Combine(_folder, "clip.mp4");
        await TestMedia.MakeClipAsync(clip, 1.0);
        await using var file = new FileStream(clip, FileMode.Append);
        var noise = new byte[(11 * 1024 * 1024) - (int)file.Length];
        new Random(7).NextBytes(noise);
        await file.WriteAsync(noise);
        return clip;
    }

    private static async Task<string> PutAsync(string url, byte[] body)
    {
        using var http = new HttpClient();
        using var response = await http.PutAsync(new Uri(url), new ByteArrayContent(body));
        response.EnsureSuccessStatusCode();
        return response.Headers.ETag!.Tag;
    }
}
