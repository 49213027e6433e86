using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>
/// Broken, mislabelled and hostile inputs submitted together with a healthy job on one farm: each gets a clear
/// outcome (a precise error, or a correct result where the input is merely unusual), the healthy job succeeds,
/// the API and the worker keep serving.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class HostileInputTests(TestMedia media) : IAsyncLifetime
{
    private const long UploadLimit = 8L * 1024 * 1024;

    private readonly InProcessFarm _farm = new(new Dictionary<string, string?> { ["Media:JobApi:MaxUploadBytes"] = UploadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hostile-" + Guid.NewGuid().ToString("N"));

    private string File(string name) => Path.Combine(_dir, name);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        await System.IO.File.WriteAllBytesAsync(File("random.mp4"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(200_000));
        await System.IO.File.WriteAllBytesAsync(File("empty.mp4"), []);
        var whole = await System.IO.File.ReadAllBytesAsync(media.Landscape);
        for (var i = whole.Length * 3 / 10; i < whole.Length * 7 / 10; i += 997)
        {
            whole[i] ^= 0xFF;
        }

        await System.IO.File.WriteAllBytesAsync(File("bitflipped.mp4"), whole);
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", File("audio-only.m4a"));
        await TestMedia.MakeClipAsync(File("video-only.mp4"), 2, audio: false);

        // A phone clip: variable frame rate (30 fps, then 10 fps) and a 90° display rotation.
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
            "-vf", "select='lt(n\\,30)+not(mod(n\\,3))'", "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", File("vfr.mp4"));
        await TestMedia.FFmpegAsync("-i", File("vfr.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", File("phone.mp4"));

        // 9000x9000 in 240 KB: a decompression bomb the probe's limits must stop before any decode.
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "color=c=black:s=9000x9000:d=0.04", "-frames:v", "1", "-c:v", "png", File("bomb.mkv"));

        // Three frames an hour apart: a few KB that declare a 4-hour source.
        await TestMedia.FFmpegAsync("-f", "lavfi", "-i", "testsrc=s=160x120:r=1:d=3", "-vf", "setpts=N*7200/TB", "-c:v", "libx264", "-fps_mode", "vfr", File("declared-long.mp4"));
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task HostileMedia_EachGetsAClearOutcome_AndTheHealthyJobIsUnaffected()
    {
        // name -> (state, error code, words the message must contain)
        var expected = new Dictionary<string, (JobState State, string Code, string Says)>
        {
            ["random.mp4"] = (JobState.Failed, "invalid_media", string.Empty),
            ["audio-only.m4a"] = (JobState.Failed, "invalid_media", "video"),
            ["bomb.mkv"] = (JobState.Failed, "invalid_media", "resolution 9000x9000 is over the limit"),
            ["declared-long.mp4"] = (JobState.Failed, "invalid_media", "is over the limit of 14400 s"),
            ["video-only.mp4"] = (JobState.Succeeded, string.Empty, string.Empty),
            ["phone.mp4"] = (JobState.Succeeded, string.Empty, string.Empty),
        };

        // An empty file is refused at upload, naming the field.
        var empty = await Assert.ThrowsAsync<RpcException>(() => _farm.Client.UploadFileAsync(File("empty.mp4"), null, CancellationToken.None));
        Assert.Equal((StatusCode.InvalidArgument, "data: the upload is empty (0 bytes)"), (empty.StatusCode, empty.Status.Detail));

        var submitted = new Dictionary<string, string>();
        foreach (var name in expected.Keys.Append("bitflipped.mp4"))
        {
            var upload = await _farm.Client.UploadFileAsync(File(name), null, CancellationToken.None);
            submitted[name] = (await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical" })).Id;
        }

        var healthyUpload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var healthy = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = healthyUpload.UploadId }, PatternName = "reframe-vertical" });

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var results = new Dictionary<string, Job>();
        foreach (var (name, id) in submitted)
        {
            results[name] = await _farm.Client.WaitAsync(id, null, timeout.Token);
        }

        Assert.Equal(JobState.Succeeded, (await _farm.Client.WaitAsync(healthy.Id, null, timeout.Token)).State);
        foreach (var (name, (state, code, says)) in expected)
        {
            var job = results[name];
            Assert.True(job.State == state, $"{name}: {job.State} {job.Error}");
            if (state == JobState.Failed)
            {
                Assert.True(job.Error.Code == code && !job.Error.Retryable && job.Error.Message.Length > 0, $"{name}: {job.Error}");
                Assert.Contains(says, job.Error.Message, StringComparison.Ordinal);
                Assert.Equal(1, job.Stages.Single(s => s.Kind == StageKind.Probe).Attempt);
            }
        }

        // Corrupt packets in the middle: ffmpeg conceals them, or the job fails with its tool output; never a hang or a retry loop.
        var flipped = results["bitflipped.mp4"];
        Assert.True(flipped.State == JobState.Succeeded || (flipped.Error.Code is "invalid_media" or "tool_failed" && flipped.Error.ToolStderrTail.Length > 0), $"bitflipped: {flipped.State} {flipped.Error}");

        // The phone clip plays upright for its whole length.
        var phone = results["phone.mp4"].Outputs.Single(o => o.Kind == OutputKind.Video);
        Assert.InRange(phone.DurationSeconds, 1.7, 2.3);
        Assert.Equal((1080, 1920), (phone.Width, phone.Height));
        Assert.InRange(results["phone.mp4"].SourceInfo.Rotation, -270, 270);
        Assert.NotEqual(0, results["phone.mp4"].SourceInfo.Rotation);

        using var channel = GrpcChannel.ForAddress(_farm.Client.Address);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task HostileText_InEveryField_IsRefusedByNameOrKeptLiterally()
    {
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);

        // File names cannot leave the upload's folder, whatever they say.
        foreach (var name in new[] { "../../../etc/passwd", "..\\..\\win.ini", "a/../../b.mp4", "/abs/../x.mp4", new string('x', 900) + ".mp4", "ok\u202Egnp.mp4", "." })
        {
            var stored = await UploadBytesAsync(name, "video/mp4", await System.IO.File.ReadAllBytesAsync(media.Silent));
            Assert.Matches("^tenants/default/uploads/up_[0-9a-f]{24}/[^/]+$", stored.Key);
            Assert.DoesNotContain("..", stored.Key, StringComparison.Ordinal);
        }

        foreach (var name in new[] { "\u0000nul.mp4", "line\nbreak.mp4", new string('x', 5000) + ".mp4" })
        {
            var refusedName = await Assert.ThrowsAsync<RpcException>(() => UploadBytesAsync(name, "video/mp4", [1, 2, 3]));
            Assert.Contains("header.file_name", refusedName.Status.Detail, StringComparison.Ordinal);
        }

        // Oversized: refused by the declared size at once, or by the bytes when the size was not declared.
        var declared = await Assert.ThrowsAsync<RpcException>(() => UploadBytesAsync("big.mp4", "video/mp4", new byte[16], declareSize: UploadLimit + 1));
        Assert.Equal(StatusCode.InvalidArgument, declared.StatusCode);
        Assert.Contains("Media:JobApi:MaxUploadBytes", declared.Status.Detail, StringComparison.Ordinal);
        var streamed = await Assert.ThrowsAsync<RpcException>(() => UploadBytesAsync("big.mp4", "video/mp4", new byte[UploadLimit + 1024]));
        Assert.Contains("Media:JobApi:MaxUploadBytes", streamed.Status.Detail, StringComparison.Ordinal);
        var bigChunk = await Assert.ThrowsAsync<RpcException>(() => UploadBytesAsync("chunky.mp4", "video/mp4", new byte[5 * 1024 * 1024], chunkBytes: 5 * 1024 * 1024));
        Assert.Equal(StatusCode.InvalidArgument, bigChunk.StatusCode);
        Assert.Contains("data: a data chunk is at most 1048576 bytes (1 MiB)", bigChunk.Status.Detail, StringComparison.Ordinal);

        var hostile = "'; DROP TABLE jobs; -- {{x}} %{pts} \\ \u202E <script> ‘’ 😀";
        var tooLong = new string('k', 200);
        var request = new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            PatternName = "reframe-vertical",
            IdempotencyKey = tooLong,
            WebhookUrl = "javascript:alert(1)",
            Parameters = { ["bad key!"] = "v", ["title"] = new string('t', 2001), ["nul"] = "a\u0000b" },
            Labels = { ["campaign"] = new string('c', 129) },
            Outputs = { "../vertical" },
        };
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        foreach (var field in new[] { "idempotency_key", "webhook_url", "parameters[bad key!]", "parameters[title]", "parameters[nul]: must not contain NUL", "labels[campaign]", "outputs" })
        {
            Assert.Contains(field, refused.Status.Detail, StringComparison.Ordinal);
        }

        var unknownPattern = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = hostile }));
        Assert.Contains("pattern_name", unknownPattern.Status.Detail, StringComparison.Ordinal);
        var badId = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = hostile }));
        Assert.Equal(StatusCode.NotFound, badId.StatusCode);

        // Accepted text stays literal: stored and returned byte for byte.
        var accepted = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            PatternName = "reframe-vertical",
            Parameters = { ["title"] = hostile },
            Labels = { ["note"] = hostile },
            IdempotencyKey = "k'; --",
        });
        var read = await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = accepted.Id });
        Assert.Equal((hostile, hostile, "k'; --"), (read.Parameters["title"], read.Labels["note"], read.IdempotencyKey));
        var listed = await _farm.Client.Jobs.ListJobsAsync(new ListJobsRequest { Labels = { ["note"] = hostile } });
        Assert.Equal(accepted.Id, Assert.Single(listed.Jobs).Id);
    }

    private async Task<UploadResponse> UploadBytesAsync(string fileName, string contentType, byte[] bytes, long declareSize = 0, int chunkBytes = 1024 * 1024)
    {
        using var call = _farm.Client.Uploads.Upload();
        await call.RequestStream.WriteAsync(new UploadRequest { Header = new UploadHeader { FileName = fileName, ContentType = contentType, SizeBytes = declareSize } });
        try
        {
            for (var offset = 0; offset < bytes.Length; offset += chunkBytes)
            {
                await call.RequestStream.WriteAsync(new UploadRequest { Data = Google.Protobuf.ByteString.CopyFrom(bytes, offset, Math.Min(chunkBytes, bytes.Length - offset)) });
            }

            await call.RequestStream.WriteAsync(new UploadRequest { Trailer = new UploadTrailer { Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) } });
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server refused mid-stream; its status is in the response below.
        }
        catch (InvalidOperationException)
        {
            // The call already ended with the server's status.
        }

        return await call.ResponseAsync;
    }
}
