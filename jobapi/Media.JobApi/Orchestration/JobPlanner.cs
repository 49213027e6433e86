using Media.JobApi.Store;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;
using Media.Platform.Bus;
using Media.Protos.V1;

namespace Media.JobApi.Orchestration;

/// <summary>
/// Expands a job into its stage graph: probe -> (analyze, when the pattern's steps need measurements) -> a
/// render per output, and one thumbnails stage after the probe (covers are taken from the source, so they
/// need not wait for the renders).
/// Stage ids derive from the job id and output name, so they (and the output keys) are stable across re-runs.
/// </summary>
public static class JobPlanner
{
    public static IReadOnlyList<StageRecord> Expand(string jobId, Pattern pattern, IReadOnlyList<string> outputsWanted)
    {
        var probe = new StageRecord { Id = $"{jobId}.probe", JobId = jobId, Kind = StageKind.Probe };
        var stages = new List<StageRecord> { probe };
        var renderAfter = probe.Id;
        if (Media.Pipelines.Analysis.SourceAnalysis.IsNeededBy(pattern))
        {
            // Measured once, shared by every output's render.
            var analyze = new StageRecord { Id = $"{jobId}.analyze", JobId = jobId, Kind = StageKind.Analyze, DependsOn = [probe.Id] };
            stages.Add(analyze);
            renderAfter = analyze.Id;
        }

        foreach (var output in pattern.Outputs.Where(o => outputsWanted.Count == 0 || outputsWanted.Contains(o.Name)))
        {
            // A fan-out pattern renders each output once per clip ("vertical-clip1", …), side by side.
            var clips = pattern.Steps.Clips is { } fanOut ? Enumerable.Range(1, fanOut.Count) : [0];
            foreach (var clip in clips)
            {
                var name = clip > 0 ? RenderPlanner.ClipOutputName(output.Name, clip) : output.Name;
                stages.Add(new StageRecord
                {
                    Id = $"{jobId}.render.{name}",
                    JobId = jobId,
                    Kind = StageKind.Render,
                    OutputName = name,
                    PatternOutput = output.Name,
                    Clip = clip,
                    DependsOn = [renderAfter],
                    Pool = output.Hardware == OutputHardware.Gpu ? Topics.GpuPool : Topics.CpuPool,
                });
            }
        }

        if (pattern.Thumbnail is not null)
        {
            stages.Add(new StageRecord { Id = $"{jobId}.thumbnails", JobId = jobId, Kind = StageKind.Thumbnail, DependsOn = [probe.Id] });
        }

        return stages;
    }

    /// <summary>Relative cost of a stage, for the job's overall progress.</summary>
    public static double Weight(StageRecord stage) => stage.Kind switch
    {
        StageKind.Render => 8,
        StageKind.Analyze => 3,
        // A chunked analysis: each chunk counts for its share of measuring (the merge keeps the analyze stage's weight).
        StageKind.AnalyzeChunk => 3,
        // A chunked render: each part is a render of its range (the join, which encodes the sound and copies, keeps the
        // render's weight); a part that also renders other shapes of the edit (variants) weighs as that many parts.
        StageKind.RenderChunk => 8 * (1 + stage.Variants.Count),
        _ => 1,
    };

    /// <summary>How far a stage is: its own progress, or for a variant the progress of the render that makes it (its own stage never runs).</summary>
    public static double Progress(StageRecord stage, IReadOnlyList<StageRecord> stages) =>
        stage.RenderedBy.Length > 0 && stage.State != StageState.Succeeded && stages.FirstOrDefault(s => s.Id == stage.RenderedBy) is { } render
            ? render.Progress
            : stage.Progress;

    public static double OverallProgress(IEnumerable<StageRecord> stages)
    {
        double total = 0, done = 0;
        var all = stages.ToList();
        foreach (var stage in all)
        {
            var weight = Weight(stage);
            total += weight;
            done += weight * (stage.State == StageState.Succeeded ? 1 : Progress(stage, all));
        }

        return total == 0 ? 0 : Math.Round(done / total, 4);
    }
}
