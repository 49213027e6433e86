using Grpc.Core;
using Media.JobApi.Webhooks;
using Media.Protos.V1;

namespace Media.IntegrationTests;

/// <summary>A finished job's webhook against a real HTTP receiver that fails first: signed, retried, every attempt recorded.</summary>
[Collection(MediaCollection.Name)]
public sealed class WebhookTests(TestMedia media) : IAsyncLifetime
{
    private const string Secret = "test-secret";
    private readonly InProcessFarm _farm = new(new Dictionary<string, string?>
    {
        ["Media:Webhooks:Secret"] = Secret,
        ["Media:Webhooks:RetryBaseDelayMilliseconds"] = "100",
    });

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        // The first delivery fails, as a receiver that is briefly down would.
        _receiver = await WebhookReceiver.StartAsync(call => call == 1 ? 503 : 200);
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task FinishedJob_IsPostedSignedRetriedAndEveryAttemptRecorded()
    {
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var job = await _farm.Client.Jobs.SubmitJobAsync(new SubmitJobRequest { Source = new Source { UploadId = upload.UploadId }, PatternName = "reframe-vertical", WebhookUrl = _receiver.Url });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        job = await _farm.Client.WaitAsync(job.Id, null, timeout.Token);
        Assert.Equal(JobState.Succeeded, job.State);

        var deliveries = await WebhookReceiver.WaitForDeliveryAsync(_farm.Client, job.Id, WebhookDelivery.Delivered, timeout.Token);

        Assert.Equal([503, 200], deliveries.Attempts.Select(a => a.StatusCode));
        Assert.Contains("503", deliveries.Attempts[0].Error, StringComparison.Ordinal);
        Assert.Equal(2, _receiver.Received.Count);
        foreach (var (body, signature, kind) in _receiver.Received)
        {
            Assert.Equal("job.finished", kind);
            Assert.True(WebhookSignature.Verify(Secret, signature, body, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)), $"bad signature {signature}");
            Assert.False(WebhookSignature.Verify("other-secret", signature, body, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)));
            var posted = Job.Parser.ParseJson(System.Text.Encoding.UTF8.GetString(body));
            Assert.Equal((job.Id, JobState.Succeeded), (posted.Id, posted.State));
            Assert.Contains(posted.Outputs, o => o.Kind == OutputKind.Video);
        }

        // A replayed delivery (old timestamp) or a changed body is refused by a receiver that checks.
        var (firstBody, firstSignature, _) = _receiver.Received.First();
        Assert.False(WebhookSignature.Verify(Secret, firstSignature, firstBody, TimeProvider.System.GetUtcNow().AddMinutes(10), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, firstSignature, [.. firstBody, (byte)' '], TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Deliveries_WhoseApiStoppedBetweenRetries_AreResumedByTheNextProcess()
    {
        var data = Path.Combine(Path.GetTempPath(), "media-farm-" + Guid.NewGuid().ToString("N"));
        var firstSettings = new Dictionary<string, string?>
        {
            ["Media:Webhooks:Secret"] = Secret,
            // The first process would wait a minute before its second attempt: it is stopped long before that.
            ["Media:Webhooks:RetryBaseDelayMilliseconds"] = "60000",
        };

        // The next process waits less between attempts, so it may take over deliveries silent for 3 s (more than its
        // longest wait, 100 ms doubled to 1.6 s with jitter plus a 1 s timeout: checked at start).
        var secondSettings = new Dictionary<string, string?>
        {
            ["Media:Webhooks:Secret"] = Secret,
            ["Media:Webhooks:RetryBaseDelayMilliseconds"] = "100",
            ["Media:Webhooks:TimeoutSeconds"] = "1",
            ["Media:Webhooks:ResumeAfterSeconds"] = "3",
            ["Media:Webhooks:ResumeSweepSeconds"] = "1",
        };
        // The first attempt of both deliveries (job.finished and the publish hand-off) fails; later ones succeed.
        await using var receiver = await WebhookReceiver.StartAsync(call => call <= 2 ? 503 : 200);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string jobId;
        try
        {
            var first = new InProcessFarm(firstSettings, data);
            await first.InitializeAsync();
            try
            {
                var upload = await first.Client.UploadFileAsync(media.Landscape, null, timeout.Token);
                var job = await first.Client.SubmitAndWaitAsync(
                    new SubmitJobRequest
                    {
                        Source = new Source { UploadId = upload.UploadId },
                        PatternName = "reframe-vertical",
                        WebhookUrl = receiver.Url,
                        PublishAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(1)),
                        Destinations = { new Destination { Platform = "tiktok", Account = "@acme" } },
                    },
                    null,
                    timeout.Token);
                jobId = job.Id;
                await WebhookReceiver.WaitForDeliveryAsync(first.Client, jobId, WebhookDelivery.Retrying, timeout.Token, attempts: 1);
                await WebhookReceiver.WaitForDeliveryAsync(first.Client, jobId, WebhookDelivery.Retrying, timeout.Token, "job.publish_requested", attempts: 1);
            }
            finally
            {
                await first.DisposeAsync();
            }

            var second = new InProcessFarm(secondSettings, data);
            await second.InitializeAsync();
            try
            {
                var finished = await WebhookReceiver.WaitForDeliveryAsync(second.Client, jobId, WebhookDelivery.Delivered, timeout.Token);
                var handOff = await WebhookReceiver.WaitForDeliveryAsync(second.Client, jobId, WebhookDelivery.Delivered, timeout.Token, "job.publish_requested");

                Assert.Equal([503, 200], finished.Attempts.Select(a => a.StatusCode));
                Assert.Equal([503, 200], handOff.Attempts.Select(a => a.StatusCode));
                Assert.Equal(4, receiver.Received.Count);
                foreach (var (body, signature, _) in receiver.Received)
                {
                    Assert.True(WebhookSignature.Verify(Secret, signature, body, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)));
                }

                var resent = receiver.Received.Skip(2).ToDictionary(r => r.Event, r => System.Text.Encoding.UTF8.GetString(r.Body));
                Assert.Equal(jobId, Job.Parser.ParseJson(resent["job.finished"]).Id);
                var message = PublishRequested.Parser.ParseJson(resent["job.publish_requested"]);
                Assert.Equal((jobId, "tiktok:@acme"), (message.JobId, $"{message.Destinations[0].Platform}:{message.Destinations[0].Account}"));
                Assert.Contains(message.Outputs, o => o.Kind == OutputKind.Video);
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
