using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;

namespace Media.Pipelines.Render;

/// <summary>Pattern output + probed source -> render plan. No I/O.</summary>
public static class RenderPlanner
{
    public static RenderPlan Plan(Pattern pattern, PatternOutput output, MediaProbe source)
    {
        if (!source.HasVideo)
        {
            throw new InvalidMediaException($"Pattern '{pattern.Name}' needs a video stream; the source has only audio.");
        }

        var duration = Math.Min(source.DurationSeconds, output.Preset.MaxDurationSeconds);
        return new RenderPlan
        {
            OutputName = output.Name,
            Width = output.Width,
            Height = output.Height,
            Reframe = pattern.Reframe,
            Preset = output.Preset,
            DurationSeconds = duration,
            SourceHasAudio = source.HasAudio,
            Truncated = duration < source.DurationSeconds,
        };
    }
}
