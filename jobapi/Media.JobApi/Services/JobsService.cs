using Grpc.Core;
using Media.JobApi.Errors;
using Media.JobApi.Orchestration;
using Media.JobApi.Store;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Services;

public sealed class JobsService(
    Orchestrator orchestrator,
    IJobStore store,
    IWebhookStore webhookStore,
    IPublicationStore publicationStore,
    IBlobStore blobs,
    JobEventNotifier notifier,
    IOptions<JobApiOptions> options,
    ILogger<JobsService> logger,
    Publishing.Publications publications,
    Http.OutputLinks links,
    Editing.OutputRevisions revisions) : Jobs.JobsBase
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    private const int DownloadChunkBytes = 256 * 1024;

    public override async Task<Job> SubmitJob(SubmitJobRequest request, ServerCallContext context)
    {
        var job = await orchestrator.SubmitAsync(request, CallerTenant.Of(context), context.CancellationToken);
        return await LoadAsync(job, context.CancellationToken);
    }

    public override async Task<SubmitBatchResponse> SubmitBatch(SubmitBatchRequest request, ServerCallContext context)
    {
        if (request.Jobs.Count == 0)
        {
            throw new RequestValidationException("jobs", "must contain at least one job");
        }

        if (request.Jobs.Count > options.Value.MaxBatchSize)
        {
            throw new RequestValidationException("jobs", $"has {request.Jobs.Count} jobs; the limit is {options.Value.MaxBatchSize} (Media:JobApi:MaxBatchSize)");
        }

        var response = new SubmitBatchResponse();
        for (var i = 0; i < request.Jobs.Count; i++)
        {
            var item = new BatchItemResult { Index = i };
            try
            {
                var job = await orchestrator.SubmitAsync(request.Jobs[i], CallerTenant.Of(context), context.CancellationToken, fieldPrefix: $"jobs[{i}].");
                item.Job = await LoadAsync(job, context.CancellationToken);
            }
            catch (Exception ex) when (ex is RequestValidationException or ConflictException)
            {
                item.Error = ex.Message;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Earlier items are committed: report this one and go on, so their ids are not lost with the call.
                logger.LogError(ex, "Batch item {Index} failed", i);
                item.Error = "internal error; see the server log";
            }

            response.Results.Add(item);
        }

        return response;
    }

    public override async Task<Job> GetJob(GetJobRequest request, ServerCallContext context)
    {
        var job = await GetOwnedAsync(request.JobId, context);
        return await LoadAsync(job, context.CancellationToken);
    }

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0 || request.PageSize > MaxPageSize)
        {
            throw new RequestValidationException("page_size", $"must be between 0 and {MaxPageSize} (0 = {DefaultPageSize})");
        }

        if (request.PageToken.Length > 0 && !PageCursor.TryDecode(request.PageToken, out _, out _))
        {
            throw new RequestValidationException("page_token", "is not a token returned by ListJobs");
        }

        if (!Enum.IsDefined(request.State))
        {
            throw new RequestValidationException("state", "is not a known job state");
        }

        var page = await store.ListJobsAsync(
            new JobQuery(CallerTenant.Of(context), request.State, LabelFilter(request), request.PageSize == 0 ? DefaultPageSize : request.PageSize, request.PageToken),
            context.CancellationToken);
        var response = new ListJobsResponse { NextPageToken = page.NextPageToken };
        // Three queries for the whole page, not three per job: a dashboard lists 50 jobs every second.
        var details = await store.GetJobDetailsAsync([.. page.Jobs.Select(j => j.Id)], context.CancellationToken);
        response.Jobs.AddRange(page.Jobs.Select(job => Compose(job, details.GetValueOrDefault(job.Id, JobDetails.None))));
        return response;
    }

    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        if (request.AfterSequence < 0)
        {
            throw new RequestValidationException("after_sequence", "must not be negative");
        }

        var job = await GetOwnedAsync(request.JobId, context);
        var cancellationToken = context.CancellationToken;
        var after = request.AfterSequence;
        while (!cancellationToken.IsCancellationRequested)
        {
            var events = await store.GetEventsAsync(job.Id, after, 500, cancellationToken);
            foreach (var jobEvent in events)
            {
                await responseStream.WriteAsync(jobEvent, cancellationToken);
                after = jobEvent.Sequence;
            }

            if (events.Count == 0)
            {
                var current = await store.GetJobAsync(job.Id, cancellationToken);
                if (current is null || (current.IsTerminal && current.LastSequence <= after))
                {
                    return;
                }

                await notifier.WaitAsync(job.Id, TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    public override async Task<Job> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        RequireId(request.JobId);
        var job = await orchestrator.CancelAsync(request.JobId, CallerTenant.Of(context), context.CancellationToken);
        return await LoadAsync(job, context.CancellationToken);
    }

    public override async Task<Job> RetryJob(RetryJobRequest request, ServerCallContext context)
    {
        RequireId(request.JobId);
        var job = await orchestrator.RetryAsync(request.JobId, CallerTenant.Of(context), context.CancellationToken);
        return await LoadAsync(job, context.CancellationToken);
    }

    public override async Task<Job> SchedulePublish(SchedulePublishRequest request, ServerCallContext context)
    {
        RequireId(request.JobId);
        var job = await GetOwnedAsync(request.JobId, context);
        await publications.ScheduleAsync(job, request, context.CancellationToken);
        return await LoadAsync(job, context.CancellationToken);
    }

    public override async Task<Job> CancelPublish(CancelPublishRequest request, ServerCallContext context)
    {
        RequireId(request.JobId);
        var job = await GetOwnedAsync(request.JobId, context);
        await publications.CancelAsync(job, context.CancellationToken);
        return await LoadAsync(job, context.CancellationToken);
    }

    public override async Task DownloadOutput(DownloadOutputRequest request, IServerStreamWriter<DataChunk> responseStream, ServerCallContext context)
    {
        var job = await GetOwnedAsync(request.JobId, context);
        var output = await FindOutputAsync(job, request.Name, context.CancellationToken);
        await using var stream = await blobs.OpenReadAsync(output.Key, context.CancellationToken);
        var buffer = new byte[DownloadChunkBytes];
        int read;
        while ((read = await stream.ReadAsync(buffer, context.CancellationToken)) > 0)
        {
            await responseStream.WriteAsync(new DataChunk { Data = Google.Protobuf.ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
        }
    }

    public override async Task<OutputLink> GetOutputLink(GetOutputLinkRequest request, ServerCallContext context)
    {
        var job = await GetOwnedAsync(request.JobId, context);
        var output = await FindOutputAsync(job, request.Name, context.CancellationToken);
        var expiresAt = links.ExpiresAt();
        var url = blobs.TryGetDownloadUrl(output.Key, TimeSpan.FromSeconds(options.Value.OutputLinkSeconds))
            ?? links.Create(job.Tenant, job.Id, output.Name, expiresAt);
        return new OutputLink { Url = url, ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(expiresAt), ContentType = output.ContentType };
    }

    public override async Task<EditPlanDocument> GetEditPlan(GetEditPlanRequest request, ServerCallContext context)
    {
        if (request.Revision < 0)
        {
            throw new RequestValidationException("revision", "must be 0 (the newest) or a revision number");
        }

        return await revisions.GetPlanAsync(await GetOwnedAsync(request.JobId, context), request.Output, request.Revision, context.CancellationToken);
    }

    public override async Task<Job> ReviseOutput(ReviseOutputRequest request, ServerCallContext context)
    {
        var job = await revisions.ReviseAsync(await GetOwnedAsync(request.JobId, context), request, context.CancellationToken);
        return await LoadAsync(job, context.CancellationToken);
    }

    public override async Task<WebhookDeliveries> GetWebhookDeliveries(GetWebhookDeliveriesRequest request, ServerCallContext context)
    {
        var job = await GetOwnedAsync(request.JobId, context);
        var eventName = request.Event.Length == 0 ? Webhooks.WebhookSender.JobFinishedEvent : request.Event;
        if (eventName is not (Webhooks.WebhookSender.JobFinishedEvent or Webhooks.WebhookSender.PublishRequestedEvent))
        {
            throw new RequestValidationException("event", $"must be {Webhooks.WebhookSender.JobFinishedEvent} or {Webhooks.WebhookSender.PublishRequestedEvent}");
        }

        var stored = await webhookStore.GetWebhookDeliveryAsync(job.Tenant, Webhooks.WebhookSender.RecordName(job.Id, eventName), context.CancellationToken)
            ?? throw new ResourceNotFoundException("webhook delivery", job.Id);
        var delivery = Webhooks.WebhookDelivery.FromJson(stored.Document);
        var response = new WebhookDeliveries { JobId = delivery.JobId, Url = delivery.Url, State = delivery.State };
        response.Attempts.AddRange(delivery.Attempts.Select(a => new Protos.V1.WebhookAttempt
        {
            At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(a.At),
            StatusCode = a.StatusCode,
            Error = a.Error,
            DurationMs = a.Milliseconds,
        }));
        return response;
    }

    private async Task<JobRecord> GetOwnedAsync(string jobId, ServerCallContext context)
    {
        RequireId(jobId);
        return await store.GetOwnedJobAsync(jobId, CallerTenant.Of(context), context.CancellationToken);
    }

    private async Task<Output> FindOutputAsync(JobRecord job, string name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new RequestValidationException("name", "is required (an output name from GetJob)");
        }

        var outputs = await store.GetOutputsAsync(job.Id, cancellationToken);
        return outputs.FirstOrDefault(o => o.Name == name) ?? throw new ResourceNotFoundException("output", $"{job.Id}/{name}");
    }

    private static IReadOnlyDictionary<string, string> LabelFilter(ListJobsRequest request)
    {
        if (request.Label.Count == 0)
        {
            return request.Labels;
        }

        var labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal);
        foreach (var pair in request.Label)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new RequestValidationException("label", $"'{(pair.Length > 80 ? pair[..80] + "…" : pair)}' must be key=value");
            }

            labels[pair[..eq]] = pair[(eq + 1)..];
        }

        return labels;
    }

    private static void RequireId(string jobId)
    {
        if (string.IsNullOrWhiteSpace(jobId))
        {
            throw new RequestValidationException("job_id", "is required");
        }

        if (jobId.Length > 100)
        {
            throw new RequestValidationException("job_id", "is too long to be a job id");
        }
    }

    private async Task<Job> LoadAsync(JobRecord job, CancellationToken cancellationToken) =>
        Compose(job, new JobDetails(
            await store.GetStagesAsync(job.Id, cancellationToken),
            await store.GetOutputsAsync(job.Id, cancellationToken),
            await publicationStore.GetPublicationAsync(job.Id, cancellationToken)));

    private Job Compose(JobRecord job, JobDetails details)
    {
        var proto = JobMapper.ToProto(job, details.Stages, details.Outputs);
        foreach (var output in proto.Outputs)
        {
            // Signed per read, never stored: a URL in the database would outlive its expiry.
            output.DownloadUrl = blobs.TryGetDownloadUrl(output.Key) ?? string.Empty;
        }

        proto.Publication = details.Publication?.Publication;
        return proto;
    }
}
