using Media.Protos.V1;

namespace Media.IntegrationTests.Storage;

/// <summary>The farm with Media:Storage=s3: uploads, worker downloads and outputs all go through the S3 protocol.</summary>
[Collection(S3Collection.Name)]
public sealed class S3FarmTests(S3Server server)
{
    [Fact]
    public async Task Farm_OnS3Storage_RendersFromAndToTheBucket()
    {
        var overrides = server.FarmConfiguration($"farm-{Guid.NewGuid():N}/");
        var clip = Path.Combine(Path.GetTempPath(), "s3-farm-" + Guid.NewGuid().ToString("N") + ".mp4");
        await TestMedia.MakeClipAsync(clip, 1.5);
        var farm = new InProcessFarm(overrides);
        await farm.InitializeAsync();
        try
        {
            var upload = await farm.Client.UploadFileAsync(clip, null, CancellationToken.None);
            var job = await farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "vertical-blur-fill" });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            job = await farm.Client.WaitAsync(job.Id, null, timeout.Token);
            var downloads = Directory.CreateTempSubdirectory("s3-farm-out-").FullName;
            var files = await farm.Client.DownloadOutputsAsync(job, downloads, timeout.Token);

            Assert.True(job.State == JobState.Succeeded, job.Error?.ToString());
            var video = await TestMedia.ProbeAsync(files.Single(f => f.EndsWith(".mp4", StringComparison.Ordinal)));
            Assert.Equal((1080, 1920, "h264", "aac"), (video.Width, video.Height, video.VideoCodec, video.AudioCodec));
            Assert.False(Directory.Exists(Path.Combine(farm.DataDirectory, "blobs", "data")), "nothing may be stored in the local folder store");
            using var http = new HttpClient();
            foreach (var output in job.Outputs)
            {
                Assert.StartsWith(server.ServiceUrl, output.DownloadUrl, StringComparison.Ordinal);
                var direct = await http.GetByteArrayAsync(new Uri(output.DownloadUrl));
                Assert.Equal(output.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(direct)));
            }
            Directory.Delete(downloads, recursive: true);
        }
        finally
        {
            await farm.DisposeAsync();
            File.Delete(clip);
        }
    }
}
