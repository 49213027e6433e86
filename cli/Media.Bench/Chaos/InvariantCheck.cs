using System.Collections.Concurrent;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Grpc.Core;
using Media.Protos.V1;
using static System.FormattableString;

namespace Media.Bench.Chaos;

/// <summary>The promises, each counted: every job ended once, with exactly its outputs intact, its events in order and its webhook.</summary>
internal sealed class InvariantCheck
{
    /// <summary>How long after a job ends the farm sweeps what its runs left (the bench configures it).</summary>
    public const int RunLeftoverSeconds = 30;

    private readonly List<(string Name, bool Passed, string Detail)> _lines = [];

    public bool Passed => _lines.All(l => l.Passed);

    public static async Task<InvariantCheck> RunAsync(
        ChaosClients farm, LocalS3 s3, WebhookCounter hooks, IReadOnlyList<PlannedJob> plan, ConcurrentDictionary<int, JobOutcome> results, int calm, ChaosLoop chaos, CancellationToken cancellationToken)
    {
        var check = new InvariantCheck();
        var jobs = new Dictionary<int, Job>();
        foreach (var (index, outcome) in results)
        {
            jobs[index] = await farm.CallAsync(plan[index].Tenant, index, (client, deadline) => client.GetJobAsync(new GetJobRequest { JobId = outcome.JobId }, deadline: deadline).ResponseAsync, cancellationToken);
        }

        var states = jobs.Values.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count());
        var lost = plan.Count - jobs.Values.Count(j => j.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled);
        check.Add("every job reached a terminal state", lost == 0, Invariant($"{plan.Count - lost}/{plan.Count} ({string.Join(", ", states.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}); lost {lost}"));
        var succeeded = jobs.Values.Count(j => j.State == JobState.Succeeded);
        check.Add("every job succeeded", succeeded == plan.Count, Invariant($"{succeeded}/{plan.Count}") + string.Concat(jobs.Values.Where(j => j.State == JobState.Failed).Take(3).Select(j => $"; {j.Id}: {j.Error?.Code} {j.Error?.Message}")));

        // One job per plan entry: the ids answered to the clients, and the jobs the farm lists, are the same set.
        var ids = results.Values.Select(r => r.JobId).ToHashSet(StringComparer.Ordinal);
        check.Add("no duplicate jobs", ids.Count == results.Count, Invariant($"{ids.Count} distinct ids for {results.Count} submissions"));
        check.Add("idempotent resubmissions return the original job", chaos.StormMismatches == 0, Invariant($"{chaos.StormSent - chaos.StormMismatches}/{chaos.StormSent} same id"));

        // Storage, listed directly: each succeeded job's outputs exist with the SHA-256 its record says, and nothing else
        // lies in the jobs' folders (no orphan from a killed render, no second copy).
        using var client = new AmazonS3Client(new BasicAWSCredentials(LocalS3.Key, LocalS3.Key), new AmazonS3Config
        {
            ServiceURL = s3.ServiceUrl,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
        var expected = jobs.Values.Where(j => j.State == JobState.Succeeded).SelectMany(j => j.Outputs).ToList();
        var keys = expected.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        bool Orphan(string key) => key.Contains("/jobs/", StringComparison.Ordinal) && !keys.Contains(key);

        // Killed runs leave objects in their own run folders; the farm's leftover sweep removes them a while after each
        // job ends. Wait for it (storage is listed until clean, or the sweep's time has passed twice over).
        var objects = await ListAsync(client, cancellationToken);
        var leftovers = objects.Count(Orphan);
        var sweepWait = System.Diagnostics.Stopwatch.StartNew();
        while (objects.Any(Orphan) && sweepWait.Elapsed < TimeSpan.FromSeconds(2 * RunLeftoverSeconds + 30))
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            objects = await ListAsync(client, cancellationToken);
        }

        var swept = sweepWait.Elapsed;

        var missing = 0;
        var corrupt = 0;
        var mismatches = new List<string>();
        foreach (var output in expected)
        {
            if (!objects.Contains(output.Key))
            {
                missing++;
                continue;
            }

            using var response = await client.GetObjectAsync(LocalS3.Bucket, output.Key, cancellationToken);
            var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(response.ResponseStream, cancellationToken));
            if (sha != output.Sha256)
            {
                // What a look at a mismatch needs: which object, its size against the record's, when it was last written.
                corrupt++;
                mismatches.Add(Invariant($"{output.Key}: {response.ContentLength} bytes (recorded {output.SizeBytes}), written {response.LastModified:O}"));
            }
        }

        var orphans = objects.Where(Orphan).ToList();
        check.Add("succeeded jobs' outputs stored, SHA-256 as recorded", missing == 0 && corrupt == 0, Invariant($"{expected.Count} outputs; missing {missing}, SHA-256 mismatch {corrupt}") + string.Concat(mismatches.Take(3).Select(m => "; " + m)));
        check.Add("no orphan or duplicate objects in the jobs' folders", orphans.Count == 0, Invariant($"{objects.Count(o => o.Contains("/jobs/", StringComparison.Ordinal))} objects; {orphans.Count} not an output of a job") + (orphans.Count > 0 ? $" (e.g. {orphans[0]})" : string.Empty)
            + (leftovers == 0 ? "; none left by runs when the jobs ended" : Invariant($"; {leftovers} left by runs when the jobs ended, gone {swept.TotalSeconds:0} s later")));

        // No job or stage run to success twice: each job's whole stored log, replayed with a fresh WatchJob.
        var ledger = SuccessLedger.Empty;
        foreach (var (index, outcome) in results)
        {
            ledger += SuccessLedger.Of(await ReplayAsync(farm, plan[index].Tenant, index, outcome.JobId, cancellationToken), jobs[index]);
        }

        check.Add("no job or stage run to success twice", ledger.Violations == 0,
            Invariant($"{results.Count} logs replayed: ended more than once {ledger.EndedTwice}, more than one result {ledger.ResultsTwice}; {ledger.StageSuccesses} stage successes, stages succeeded twice {ledger.StagesTwice}, success not the recorded attempt {ledger.AcceptedOther}, recorded success without its event {ledger.Unlogged}"));

        var outOfOrder = results.Values.Sum(r => r.OutOfOrder);
        check.Add("WatchJob streams: each sequence once, in order, across reconnects", outOfOrder == 0,
            Invariant($"{results.Count} streams, {results.Values.Sum(r => r.Reconnects)} reconnects, {outOfOrder} repeated or out of order"));

        // Webhooks: a finished job's delivery may be resumed by another replica after its sender died; give them time.
        var finished = jobs.Values.Where(j => j.State is JobState.Succeeded or JobState.Failed).Select(j => j.Id).ToList();
        for (var waited = 0; waited < 120 && finished.Any(id => hooks.Count(id, "job.finished") == 0); waited++)
        {
            await Task.Delay(1000, cancellationToken);
        }

        var deliveries = finished.Select(id => hooks.Count(id, "job.finished")).ToList();
        check.Add("a webhook for every finished job", deliveries.All(d => d > 0),
            Invariant($"{deliveries.Count(d => d > 0)}/{deliveries.Count} delivered; most deliveries of one job {(deliveries.Count == 0 ? 0 : deliveries.Max())}"));

        var retries = jobs.Values.Sum(j => j.Stages.Sum(s => Math.Max(0, s.Attempt - 1)));
        var calmTimes = results.Where(r => r.Key < calm).Select(r => r.Value.Seconds).ToList();
        var chaosTimes = results.Where(r => r.Key >= calm).Select(r => r.Value.Seconds).ToList();
        check._summary = Invariant($"latency submit to end: calm p50 {Percentiles.Of(calmTimes, 50):0.0} s p99 {Percentiles.Of(calmTimes, 99):0.0} s ({calmTimes.Count} jobs); under chaos p50 {Percentiles.Of(chaosTimes, 50):0.0} s p99 {Percentiles.Of(chaosTimes, 99):0.0} s ({chaosTimes.Count} jobs)\n")
            + Invariant($"stage retries used {retries}; client calls retried {farm.Retries.Values.Sum()} ({string.Join(", ", farm.Retries.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}"))})\n")
            + Invariant($"stale runs stopped {chaos.Processes.Sum(p => p.RunsStopped)}; objects runs left, swept after their jobs ended {chaos.Processes.Sum(p => p.LeftoversSwept)}");
        return check;
    }

    private string _summary = string.Empty;

    public void Print()
    {
        Console.WriteLine(_summary);
        foreach (var (name, passed, detail) in _lines)
        {
            Console.WriteLine(Invariant($"{(passed ? "PASS" : "FAIL")}  {name}: {detail}"));
        }

        Console.WriteLine(Passed ? "all invariants hold" : Invariant($"{_lines.Count(l => !l.Passed)} invariants failed"));
    }

    private void Add(string name, bool passed, string detail) => _lines.Add((name, passed, detail));

    /// <summary>A job's whole stored event log, read with a fresh WatchJob from the start (the job has ended, so the stream ends).</summary>
    private static Task<List<JobEvent>> ReplayAsync(ChaosClients farm, int tenant, int replica, string jobId, CancellationToken cancellationToken) =>
        farm.CallAsync(tenant, replica, async (jobs, deadline) =>
        {
            using var call = jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: deadline, cancellationToken: cancellationToken);
            var log = new List<JobEvent>();
            await foreach (var jobEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                log.Add(jobEvent);
            }

            return log;
        }, cancellationToken);

    private static async Task<HashSet<string>> ListAsync(AmazonS3Client client, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = LocalS3.Bucket, Prefix = "tenants/", ContinuationToken = token }, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                keys.Add(item.Key);
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }
}
