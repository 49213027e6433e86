using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>Jobs, their stages, events and outputs, and uploads.</summary>
public interface IJobStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Writes a transition atomically; returns the events with their assigned sequence numbers.</summary>
    Task<IReadOnlyList<JobEvent>> CommitAsync(JobChanges changes, CancellationToken cancellationToken);

    Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken);

    Task<JobRecord?> FindByIdempotencyKeyAsync(string tenant, string idempotencyKey, CancellationToken cancellationToken);

    Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<StageRecord>> GetStagesAsync(string jobId, CancellationToken cancellationToken);

    Task<StageRecord?> GetStageAsync(string stageId, CancellationToken cancellationToken);

    /// <summary>Stages, outputs and publications of many jobs (a page of ListJobs) in one query each, by job id.</summary>
    Task<IReadOnlyDictionary<string, JobDetails>> GetJobDetailsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken);

    Task<IReadOnlyList<Output>> GetOutputsAsync(string jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<JobEvent>> GetEventsAsync(string jobId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Stages of unfinished jobs that need the orchestrator: leases run out or retries due at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<StageRecord>> GetDueStagesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Dispatched or running stages of unfinished jobs (to re-dispatch after a restart on a non-durable bus).</summary>
    Task<IReadOnlyList<StageRecord>> GetActiveStagesAsync(CancellationToken cancellationToken);

    /// <summary>A tenant's jobs that are not finished (queued or running, admitted or held).</summary>
    Task<int> CountUnfinishedJobsAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>A tenant's unfinished jobs that have been admitted (some stage was dispatched at least once).</summary>
    Task<int> CountAdmittedJobsAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Queued jobs never admitted, in admission order: priority (high first), then oldest first.</summary>
    Task<IReadOnlyList<string>> GetHeldJobIdsAsync(string tenant, int limit, CancellationToken cancellationToken);

    /// <summary>Stages dispatched and not yet started, per pool and job priority, and the number of held jobs (metrics).</summary>
    Task<(IReadOnlyDictionary<(string Pool, Priority Priority), long> Dispatched, long Held)> GetQueueDepthAsync(CancellationToken cancellationToken);

    /// <summary>Tenants that have held jobs (for the sweep that admits them when there is room).</summary>
    Task<IReadOnlyList<string>> GetTenantsWithHeldJobsAsync(CancellationToken cancellationToken);

    /// <summary>Total probed source duration of a tenant's jobs created since <paramref name="since"/> (daily minutes quota).</summary>
    Task<double> SumSourceSecondsAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken);

    Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken);

    Task<UploadRecord?> GetUploadAsync(string tenant, string uploadId, CancellationToken cancellationToken);

    Task CreatePendingUploadAsync(PendingUploadRecord pending, CancellationToken cancellationToken);

    Task<PendingUploadRecord?> GetPendingUploadAsync(string tenant, string uploadId, CancellationToken cancellationToken);

    /// <summary>Registers the finished upload and forgets the pending one, atomically; false when it was already completed.</summary>
    Task<bool> CompletePendingUploadAsync(UploadRecord upload, CancellationToken cancellationToken);

    /// <summary>Direct uploads never completed whose part URLs expired before <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<PendingUploadRecord>> ListExpiredPendingUploadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    Task DeletePendingUploadAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Stores or replaces a tenant's cover template.</summary>
    Task PutTemplateAsync(StoredDocument template, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredDocument>> ListTemplatesAsync(string tenant, CancellationToken cancellationToken);

    Task<bool> DeleteTemplateAsync(string tenant, string name, CancellationToken cancellationToken);

    /// <summary>Stores or replaces a tenant's own pattern.</summary>
    Task PutPatternAsync(StoredDocument pattern, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredDocument>> ListPatternsAsync(string tenant, CancellationToken cancellationToken);

    Task<bool> DeletePatternAsync(string tenant, string name, CancellationToken cancellationToken);

    /// <summary>Stores or replaces one output's engagement (name "jobId/outputName", the record as JSON).</summary>
    Task PutEngagementAsync(StoredDocument engagement, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredDocument>> ListEngagementAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Stores or replaces a job's webhook delivery record (name = job id, the record as JSON).</summary>
    Task PutWebhookDeliveryAsync(StoredDocument delivery, CancellationToken cancellationToken);

    Task<StoredDocument?> GetWebhookDeliveryAsync(string tenant, string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Deliveries whose sender died: jobs with a webhook_url, finished in [finishedAfter, quietSince), whose job.finished
    /// delivery, or (for a publication requested before quietSince) job.publish_requested delivery, has no record or a
    /// "retrying" record untouched since <paramref name="quietSince"/>.
    /// </summary>
    Task<IReadOnlyList<UnsettledWebhook>> ListUnsettledWebhooksAsync(DateTimeOffset finishedAfter, DateTimeOffset quietSince, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes over an unsettled delivery: creates its record, or touches it if nobody else did since it was listed.
    /// False when another replica got there first.
    /// </summary>
    Task<bool> TryClaimWebhookAsync(UnsettledWebhook webhook, StoredDocument claim, CancellationToken cancellationToken);

    /// <summary>Stores or replaces an API key record (name = key id, globally unique; the record as JSON).</summary>
    Task PutApiKeyAsync(StoredDocument key, CancellationToken cancellationToken);

    /// <summary>The key with this id, whatever its tenant (the id comes from the presented key).</summary>
    Task<StoredDocument?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>One tenant's keys, or every tenant's when <paramref name="tenant"/> is null.</summary>
    Task<IReadOnlyList<StoredDocument>> ListApiKeysAsync(string? tenant, CancellationToken cancellationToken);

    /// <summary>Stores or replaces a job's publication.</summary>
    Task PutPublicationAsync(PublicationRecord publication, CancellationToken cancellationToken);

    Task<PublicationRecord?> GetPublicationAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Scheduled publications whose time has come, oldest first.</summary>
    Task<IReadOnlyList<PublicationRecord>> GetDuePublicationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a publication only if it is still as <paramref name="expected"/> (state and time): the one replica
    /// whose claim succeeds emits it, and a reschedule in between wins over a stale claim.
    /// </summary>
    Task<bool> ReplacePublicationAsync(PublicationRecord expected, PublicationRecord replacement, CancellationToken cancellationToken);

    /// <summary>True when the store answers (health checks).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
