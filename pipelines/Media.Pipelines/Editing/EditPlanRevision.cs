using Media.Pipelines.Json;

namespace Media.Pipelines.Editing;

/// <summary>
/// A client's edited plan made ready to render as the next revision: read strictly (unknown fields refused), checked
/// against the revision it was made from, deleted words cut from the video, numbered; or every problem with its path.
/// </summary>
public static class EditPlanRevision
{
    public static (EditPlan? Plan, IReadOnlyList<StrictJson.Problem> Problems) Prepare(string json, EditPlan basePlan, int revision, string root = "plan")
    {
        var problems = new List<StrictJson.Problem>();
        var edited = StrictJson.Parse<EditPlan>(json, root, problems);
        if (edited is null)
        {
            return (null, problems);
        }

        // What the farm sets is not the client's to change: the revision's number, and a re-encode (a revision is never a copy).
        edited = edited with { Revision = basePlan.Revision, StreamCopy = basePlan.StreamCopy };
        problems.AddRange(EditPlanValidator.Validate(edited, basePlan, root));
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var cut = TranscriptEdits.Apply(edited, basePlan) with { Revision = revision, StreamCopy = false };
        problems.AddRange(EditPlanValidator.Validate(cut with { Revision = basePlan.Revision, StreamCopy = basePlan.StreamCopy }, basePlan, root)
            .Select(p => p with { Reason = p.Reason + " (after cutting the deleted words)" }));
        return problems.Count > 0 ? (null, problems) : (cut, problems);
    }

    /// <summary>A stored plan (the farm's own: read as strictly as a client's).</summary>
    public static EditPlan Read(string json)
    {
        var problems = new List<StrictJson.Problem>();
        return StrictJson.Parse<EditPlan>(json, "plan", problems)
            ?? throw new InvalidDataException("The stored edit plan is not readable: " + string.Join("; ", problems.Select(p => $"{p.Path}: {p.Reason}")));
    }
}
