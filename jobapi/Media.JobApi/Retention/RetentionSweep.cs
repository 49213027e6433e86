using Media.JobApi.Store;
using Media.Platform.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Media.JobApi.Retention;

/// <summary>
/// One retention pass: what runs left in ended jobs' run folders, finished jobs past their time (rows, then their storage
/// folder), then uploads nothing uses (row, then object). Objects a pass could not remove (storage away, the process
/// killed) are recorded and removed by the next.
/// </summary>
public sealed partial class RetentionSweep(IRetentionStore store, IJobStore jobs, IBlobStore blobs, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionSweep> logger)
{
    private const int Batch = 100;

    // A bound on one pass, so a backlog (retention just switched on over years of jobs) is worked off over several
    // passes instead of holding one replica's sweep for hours.
    private const int MaxBatchesPerPass = 50;

    public async Task<RetentionReport> RunAsync(CancellationToken cancellationToken)
    {
        var leftovers = await RemoveRunLeftoversAsync(cancellationToken);
        var objects = await RemoveRecordedObjectsAsync(cancellationToken);
        await IndexEarlierJobsAsync(cancellationToken);

        var now = time.GetUtcNow();

        var expiredJobs = 0;
        var jobCutoffs = options.Value.FinishedJobCutoffs(now);
        for (var batch = 0; batch < MaxBatchesPerPass; batch++)
        {
            var expired = await store.ListExpiredJobsAsync(jobCutoffs, Batch, cancellationToken);
            foreach (var job in expired)
            {
                if (jobCutoffs.For(job.Tenant) is { } before && await store.DeleteJobAsync(job, before, TenantKeys.JobFolder(job.Tenant, job.Id), cancellationToken))
                {
                    expiredJobs++;
                }
            }

            objects += await RemoveRecordedObjectsAsync(cancellationToken);
            if (expired.Count < Batch)
            {
                break;
            }
        }

        var uploads = 0;
        var uploadCutoffs = options.Value.UploadCutoffs(now);
        for (var batch = 0; batch < MaxBatchesPerPass; batch++)
        {
            var unused = await store.ListUnusedUploadsAsync(uploadCutoffs, Batch, cancellationToken);
            foreach (var upload in unused)
            {
                if (uploadCutoffs.For(upload.Tenant) is { } before && await store.DeleteUploadAsync(upload, before, cancellationToken))
                {
                    uploads++;
                }
            }

            objects += await RemoveRecordedObjectsAsync(cancellationToken);
            if (unused.Count < Batch)
            {
                break;
            }
        }

        var report = new RetentionReport(expiredJobs, uploads, objects, leftovers);
        if (report.Deleted)
        {
            LogDeleted(expiredJobs, uploads, objects, leftovers);
        }

        return report;
    }

    /// <summary>
    /// Objects in ended jobs' run folders that their records do not name: runs killed or stopped between their uploads
    /// and their completion, runs whose late completion's objects could not be deleted then. Safe beside a revision
    /// starting meanwhile: the listing is used only if the job is unchanged after it, and a run started later writes
    /// keys the listing does not hold.
    /// </summary>
    private async Task<int> RemoveRunLeftoversAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        for (var batch = 0; batch < MaxBatchesPerPass; batch++)
        {
            var due = await store.ListDueRunTidiesAsync(time.GetUtcNow(), Batch, cancellationToken);
            foreach (var tidy in due)
            {
                var before = await jobs.GetJobAsync(tidy.JobId, cancellationToken);
                if (before is { IsTerminal: true })
                {
                    var held = (await jobs.GetOutputsAsync(tidy.JobId, cancellationToken)).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
                    var listed = await blobs.ListAsync(RunKeys.RunsFolder(TenantKeys.JobOutputs(tidy.Tenant, tidy.JobId)), cancellationToken);
                    if ((await jobs.GetJobAsync(tidy.JobId, cancellationToken))?.Version != before.Version)
                    {
                        // It moved on while listed (a revision, a retry): it ends again later, with a new due time.
                        continue;
                    }

                    foreach (var key in listed.Where(k => !held.Contains(k)))
                    {
                        removed += await blobs.DeleteAsync(key, cancellationToken) ? 1 : 0;
                    }
                }

                // Gone (retention) or running again (its next end records a new time): nothing to look at now.
                await store.ForgetRunTidyAsync(tidy, cancellationToken);
            }

            if (due.Count < Batch)
            {
                break;
            }
        }

        return removed;
    }

    /// <summary>Jobs of an earlier release get their references indexed; until all have, nothing they might name is deleted.</summary>
    private async Task IndexEarlierJobsAsync(CancellationToken cancellationToken)
    {
        for (var batch = 0; batch < MaxBatchesPerPass; batch++)
        {
            if (await store.IndexReferencesAsync(Batch * 10, cancellationToken) < Batch * 10)
            {
                return;
            }
        }
    }

    /// <summary>Removes the objects whose rows are gone; a record is forgotten only once its objects are.</summary>
    private async Task<int> RemoveRecordedObjectsAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        for (var batch = 0; batch < MaxBatchesPerPass; batch++)
        {
            var pending = await store.ListBlobDeletionsAsync(Batch, cancellationToken);
            foreach (var deletion in pending)
            {
                removed += deletion.IsFolder
                    ? await blobs.DeleteFolderAsync(deletion.Key, cancellationToken)
                    : await blobs.DeleteAsync(deletion.Key, cancellationToken) ? 1 : 0;
                await store.ForgetBlobDeletionAsync(deletion.Key, cancellationToken);
            }

            if (pending.Count < Batch)
            {
                break;
            }
        }

        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Jobs} finished jobs and {Uploads} unused uploads ({Objects} stored objects), and {Leftovers} objects runs left behind")]
    private partial void LogDeleted(int jobs, int uploads, int objects, int leftovers);
}

/// <summary>
/// What one pass deleted: job records, upload records, stored objects (outputs, parts, plans, sources), and objects in
/// ended jobs' run folders that their records do not name.
/// </summary>
public sealed record RetentionReport(int Jobs, int Uploads, int Objects, int Leftovers = 0)
{
    public bool Deleted => Jobs + Uploads + Objects + Leftovers > 0;
}
