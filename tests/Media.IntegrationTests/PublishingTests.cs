using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Media.JobApi.Webhooks;
using Media.Platform.Bus;
using Media.Protos.V1;
using Microsoft.Extensions.DependencyInjection;

namespace Media.IntegrationTests;

/// <summary>publish_at: at that time the farm hands the finished outputs to a publisher (media.publish and the webhook); reschedule, cancel, skip.</summary>
[Collection(MediaCollection.Name)]
public sealed class PublishingTests(TestMedia media) : IAsyncLifetime
{
    private const string Secret = "publish-secret";
    private readonly InProcessFarm _farm = new(new Dictionary<string, string?>
    {
        ["Media:Webhooks:Secret"] = Secret,
        ["Media:Publishing:PollMilliseconds"] = "100",
    });

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        await _farm.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task PublishAt_EmitsPublishRequestedAtThatTime_OnTheBusAndTheWebhook()
    {
        await using var publisher = _farm.Services.GetRequiredService<IMessageBus>().Subscribe("publisher", [new TopicWeight(Topics.Publish)]);
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        var publishAt = DateTimeOffset.UtcNow.AddSeconds(4);
        var request = new SubmitJobRequest
        {
            Source = new Source { UploadId = upload.UploadId },
            PatternName = "reframe-vertical",
            WebhookUrl = _receiver.Url,
            PublishAt = Timestamp.FromDateTimeOffset(publishAt),
            Destinations = { new Destination { Platform = "tiktok", Account = "@acme" }, new Destination { Platform = "youtube", Account = "UC123" } },
            Labels = { ["campaign"] = "winter" },
        };
        var job = await _farm.Client.Jobs.SubmitJobAsync(request);
        Assert.Equal(PublicationState.Scheduled, job.Publication.State);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var delivery = await publisher.ReceiveAsync(timeout.Token);
        var receivedAt = DateTimeOffset.UtcNow;
        var message = PublishRequested.Parser.ParseFrom(delivery.Message.Payload.Span);

        Assert.Equal((job.Id, "default"), (message.JobId, message.Tenant));
        Assert.True(receivedAt >= publishAt, $"emitted {publishAt - receivedAt} early");
        Assert.Equal(["tiktok:@acme", "youtube:UC123"], message.Destinations.Select(d => $"{d.Platform}:{d.Account}"));
        Assert.Contains(message.Outputs, o => o.Kind == OutputKind.Video && o.Sha256.Length == 64);
        Assert.Equal("winter", message.Labels["campaign"]);
        var done = await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        Assert.Equal(PublicationState.Requested, done.Publication.State);
        Assert.True(done.Publication.RequestedAt.ToDateTimeOffset() >= publishAt);

        await WebhookReceiver.WaitForDeliveryAsync(_farm.Client, job.Id, WebhookDelivery.Delivered, timeout.Token, "job.publish_requested");

        var posted = _receiver.Received.Single(r => r.Event == "job.publish_requested");
        Assert.Equal(job.Id, PublishRequested.Parser.ParseJson(System.Text.Encoding.UTF8.GetString(posted.Body)).JobId);
        Assert.True(WebhookSignature.Verify(Secret, posted.Signature, posted.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Contains(_receiver.Received, r => r.Event == "job.finished");
        var again = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.SchedulePublishAsync(new SchedulePublishRequest { JobId = job.Id, PublishAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)), Destinations = { request.Destinations } }));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task Reschedule_Cancel_Skip_AndBadFieldsAreNamed()
    {
        await using var publisher = _farm.Services.GetRequiredService<IMessageBus>().Subscribe("publisher-2", [new TopicWeight(Topics.Publish)]);
        var upload = await _farm.Client.UploadFileAsync(media.Landscape, null, CancellationToken.None);
        Destination[] tiktok = [new Destination { Platform = "tiktok", Account = "@acme" }];
        SubmitJobRequest Later(int hours) => new()
        {
            Source = new Source { UploadId = upload.UploadId },
            PatternName = "reframe-vertical",
            PublishAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(hours)),
            Destinations = { tiktok },
        };

        var moved = await _farm.Client.Jobs.SubmitJobAsync(Later(1));
        var cancelled = await _farm.Client.Jobs.SubmitJobAsync(Later(1));
        await _farm.Client.Jobs.SchedulePublishAsync(new SchedulePublishRequest { JobId = moved.Id, PublishAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(1)), Destinations = { tiktok } });
        var afterCancel = await _farm.Client.Jobs.CancelPublishAsync(new CancelPublishRequest { JobId = cancelled.Id });
        Assert.Equal(PublicationState.Cancelled, afterCancel.Publication.State);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.Equal(moved.Id, PublishRequested.Parser.ParseFrom((await publisher.ReceiveAsync(timeout.Token)).Message.Payload.Span).JobId);

        // A job that fails has nothing to publish: skipped, with the reason.
        var bad = await _farm.Client.UploadFileAsync(media.TextFile, null, CancellationToken.None);
        var failing = Later(0);
        failing.Source = new Source { UploadId = bad.UploadId };
        failing.PublishAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(1));
        var failed = await _farm.Client.WaitAsync((await _farm.Client.Jobs.SubmitJobAsync(failing)).Id, null, timeout.Token);
        Assert.Equal(JobState.Failed, failed.State);
        Publication publication;
        do
        {
            await Task.Delay(100, timeout.Token);
            publication = (await _farm.Client.Jobs.GetJobAsync(new GetJobRequest { JobId = failed.Id })).Publication;
        }
        while (publication.State == PublicationState.Scheduled);
        Assert.Equal((PublicationState.Skipped, "the job ended FAILED"), (publication.State, publication.Note));

        var past = Later(0);
        past.PublishAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1));
        past.Destinations[0].Platform = "myspace";
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(past));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("publish_at", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("destinations[0].platform", refused.Status.Detail, StringComparison.Ordinal);
        var noTime = Later(1);
        noTime.PublishAt = null;
        Assert.Contains("publish_at: is required when destinations are given", (await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.SubmitJobAsync(noTime))).Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () => await _farm.Client.Jobs.CancelPublishAsync(new CancelPublishRequest { JobId = failed.Id + "x" }))).StatusCode);
    }
}
