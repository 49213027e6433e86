using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Protos.V1;

namespace Media.JobApi.Publishing;

/// <summary>Scheduling, rescheduling and cancelling a job's hand-off to a publisher (the RPCs' rules in one place).</summary>
public sealed class Publications(IPublicationStore store, TimeProvider time)
{
    public async Task ScheduleAsync(JobRecord job, SchedulePublishRequest request, CancellationToken cancellationToken)
    {
        var violations = new List<FieldViolation>();
        if (request.PublishAt is null)
        {
            violations.Add(new FieldViolation("publish_at", "is required"));
        }

        PublicationRules.Check(request.PublishAt, request.Destinations, time.GetUtcNow(), string.Empty, (field, reason) => violations.Add(new FieldViolation(field, reason)));
        if (violations.Count > 0)
        {
            throw new RequestValidationException(violations);
        }

        if (job.State is JobState.Failed or JobState.Cancelled)
        {
            throw new PreconditionFailedException($"Job {job.Id} is {job.State.ToString().ToUpperInvariant()}; there is nothing to publish.");
        }

        var replacement = new PublicationRecord(job.Id, job.Tenant, PublicationRules.Scheduled(request.PublishAt!, request.Destinations));
        var current = await store.GetPublicationAsync(job.Id, cancellationToken);
        if (current is null)
        {
            await store.PutPublicationAsync(replacement, cancellationToken);
            return;
        }

        ThrowIfRequested(current);
        if (!await store.ReplacePublicationAsync(current, replacement, cancellationToken))
        {
            // The scheduler emitted it in between.
            ThrowIfRequested(await store.GetPublicationAsync(job.Id, cancellationToken) ?? current);
            throw new ConcurrentChangeException($"Publication of job {job.Id} changed meanwhile; try again.");
        }
    }

    public async Task CancelAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var current = await store.GetPublicationAsync(job.Id, cancellationToken) ?? throw new ResourceNotFoundException("publication", job.Id);
        if (current.State is PublicationState.Cancelled or PublicationState.Skipped)
        {
            return;
        }

        ThrowIfRequested(current);
        var cancelled = current.Publication.Clone();
        cancelled.State = PublicationState.Cancelled;
        if (!await store.ReplacePublicationAsync(current, current with { Publication = cancelled }, cancellationToken))
        {
            ThrowIfRequested(await store.GetPublicationAsync(job.Id, cancellationToken) ?? current);
        }
    }

    private static void ThrowIfRequested(PublicationRecord publication)
    {
        if (publication.State == PublicationState.Requested)
        {
            throw new PreconditionFailedException($"Publication of job {publication.JobId} was already requested at {publication.Publication.RequestedAt?.ToDateTimeOffset():O}.");
        }
    }
}
