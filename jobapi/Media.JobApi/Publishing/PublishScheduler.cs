using Media.Platform.Hosting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Store;
using Media.Platform.Bus;
using Media.Protos.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Publishing;

/// <summary>
/// Emits PublishRequested when a publication is due and its job has succeeded: on media.publish and to the job's
/// webhook. A publication due before its job finishes waits for it; one whose job failed or was cancelled is
/// skipped with a note. Each emission is claimed in the store first (a conditional update), so with several API
/// replicas exactly one emits, and a reschedule that lands in between wins.
/// </summary>
public sealed class PublishScheduler(
    IJobStore jobs,
    IPublicationStore store,
    PublishRequests requests,
    IMessageBus bus,
    IOptions<PublishOptions> options,
    TimeProvider time,
    ILogger<PublishScheduler> logger,
    Webhooks.WebhookSender? webhooks = null) : BackgroundService
{
    private const int Batch = 200;

    /// <summary>One pass over what is due (the loop's body; tests call it directly).</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var emitted = 0;
        foreach (var due in await store.GetDuePublicationsAsync(time.GetUtcNow(), Batch, cancellationToken))
        {
            try
            {
                emitted += await HandleAsync(due, cancellationToken) ? 1 : 0;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Publication of job {JobId} not handled; trying again on the next pass", due.JobId);
            }
        }

        return emitted;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), RunDueAsync, "A publication pass", logger, time, stoppingToken, runAtStart: true);

    private async Task<bool> HandleAsync(PublicationRecord due, CancellationToken cancellationToken)
    {
        var job = await jobs.GetJobAsync(due.JobId, cancellationToken);
        if (job is not null && !job.IsTerminal)
        {
            return false; // due, but the outputs are not there yet: emitted as soon as the job succeeds
        }

        var now = time.GetUtcNow();
        var next = due.Publication.Clone();
        if (job is not { State: JobState.Succeeded })
        {
            next.State = PublicationState.Skipped;
            next.Note = job is null ? "the job no longer exists" : $"the job ended {job.State.ToString().ToUpperInvariant()}";
            await store.ReplacePublicationAsync(due, due with { Publication = next }, cancellationToken);
            logger.LogInformation("Publication of job {JobId} skipped: {Note}", due.JobId, next.Note);
            return false;
        }

        next.State = PublicationState.Requested;
        next.RequestedAt = Timestamp.FromDateTimeOffset(now);
        var claimed = due with { Publication = next };
        if (!await store.ReplacePublicationAsync(due, claimed, cancellationToken))
        {
            return false; // another replica emitted it, or it was rescheduled or cancelled meanwhile
        }

        var message = await requests.BuildAsync(job, due, cancellationToken);
        try
        {
            await bus.PublishAsync(new BusMessage(Topics.Publish, job.Id, message.ToByteArray()), cancellationToken);
        }
        catch
        {
            // Not emitted: put it back so the next pass tries again (at least once, never silently dropped).
            await store.ReplacePublicationAsync(claimed, due, CancellationToken.None);
            throw;
        }

        if (!string.IsNullOrEmpty(job.WebhookUrl))
        {
            webhooks?.PublishRequested(job.Id, PublishRequests.ToJson(message));
        }

        logger.LogInformation("Publication of job {JobId} requested for {Destinations} destinations", job.Id, due.Publication.Destinations.Count);
        return true;
    }
}
