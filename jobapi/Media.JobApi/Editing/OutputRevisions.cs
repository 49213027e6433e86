using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Errors;
using Media.JobApi.Orchestration;
using Media.JobApi.Store;
using Media.Pipelines.Editing;
using Media.Pipelines.Render;
using Media.Platform.Storage;
using Media.Protos.V1;

namespace Media.JobApi.Editing;

/// <summary>
/// The studio's editing loop: an output's edit plan as rendered (GetEditPlan), and a new revision rendered from an edited
/// plan (ReviseOutput): read strictly, checked by path against the revision it was made from, deleted words cut, stored,
/// then handed to the orchestrator, which refuses a stale base and renders it without probing or analysing again.
/// </summary>
public sealed class OutputRevisions(IJobStore store, IBlobStore blobs, Orchestrator orchestrator)
{
    /// <summary>Edited plans larger than this are refused (a 10-minute output's plan is about 300 KB).</summary>
    public const int MaxPlanBytes = 4 * 1024 * 1024;

    public async Task<EditPlanDocument> GetPlanAsync(JobRecord job, string output, int revision, CancellationToken cancellationToken)
    {
        var plan = await FindPlanAsync(job, output, revision, cancellationToken);
        return new EditPlanDocument
        {
            JobId = job.Id,
            Output = output,
            Revision = plan.Revision,
            Plan = JsonParser.Default.Parse<Struct>(await ReadAsync(plan.Key, cancellationToken)),
        };
    }

    public async Task<JobRecord> ReviseAsync(JobRecord job, ReviseOutputRequest request, CancellationToken cancellationToken)
    {
        if (request.Plan is null)
        {
            throw new RequestValidationException("plan", "is required: the edited plan from GetEditPlan");
        }

        var newest = await FindPlanAsync(job, request.Output, 0, cancellationToken);
        var subject = $"jobs/{job.Id}/outputs/{request.Output}";
        if (request.BaseRevision != newest.Revision)
        {
            throw new PreconditionFailedException(
                $"The edit was made from revision {request.BaseRevision} of {request.Output}, but its newest revision is {newest.Revision}: get the plan again and re-apply the edit.",
                "STALE_REVISION",
                subject);
        }

        var json = JsonFormatter.Default.Format(request.Plan);
        if (Encoding.UTF8.GetByteCount(json) > MaxPlanBytes)
        {
            throw new RequestValidationException("plan", $"is larger than {MaxPlanBytes / (1024 * 1024)} MiB");
        }

        var basePlan = EditPlanRevision.Read(await ReadAsync(newest.Key, cancellationToken));
        var (plan, problems) = EditPlanRevision.Prepare(json, basePlan, newest.Revision + 1);
        if (plan is null)
        {
            throw new RequestValidationException([.. problems.Select(p => new FieldViolation(p.Path, p.Reason))]);
        }

        // Each request keeps its own plan (a key no other request can take), so two clients racing for the same revision
        // never overwrite each other's plan: the orchestrator admits one of them and refuses the other as stale.
        var key = $"{TenantKeys.JobRevisions(job.Tenant, job.Id)}/{request.Output}-{Guid.NewGuid():N}.plan.json";
        var document = Media.Pipelines.Json.StrictJson.Write(plan);
        await using (var content = new MemoryStream(Encoding.UTF8.GetBytes(document)))
        {
            await blobs.PutAsync(key, content, "application/json", cancellationToken);
        }

        try
        {
            return await orchestrator.ReviseAsync(job.Id, job.Tenant, request.Output, request.BaseRevision, key, SplittableSeconds(document), cancellationToken);
        }
        catch (Exception ex) when (ex is PreconditionFailedException or ResourceNotFoundException or ConcurrentChangeException)
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }
    }

    // How long the revised output is, when its render can be split into parts (0 when it cannot), compiled from the stored
    // document as the workers compile it: the length its parts and its join are checked against.
    private static double SplittableSeconds(string document)
    {
        var render = EditPlanMapper.ToRenderPlan(EditPlanRevision.Read(document));
        return RenderChunks.Chunkable(render) ? RenderCommandBuilder.MainLength(render) : 0;
    }

    // The plan document of an output's revision (0 = the newest rendered), and its listing among the job's outputs.
    private async Task<Output> FindPlanAsync(JobRecord job, string output, int revision, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            throw new RequestValidationException("output", "is required: an output's name without extension (\"vertical\", \"vertical-clip2\")");
        }

        var plans = (await store.GetOutputsAsync(job.Id, cancellationToken))
            .Where(o => o.Kind == OutputKind.EditPlan && o.Name == EditPlan.DocumentName(output, Math.Max(1, o.Revision)))
            .OrderBy(o => o.Revision)
            .ToList();
        if (plans.Count == 0)
        {
            throw new ResourceNotFoundException("edit plan", $"{job.Id}/{output}");
        }

        return revision == 0 ? plans[^1] : plans.FirstOrDefault(p => p.Revision == revision)
            ?? throw new ResourceNotFoundException("edit plan", $"{job.Id}/{output} revision {revision}");
    }

    private async Task<string> ReadAsync(string key, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await blobs.ReadAllBytesAsync(key, cancellationToken));
}
