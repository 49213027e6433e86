using System.Globalization;
using Media.Pipelines.Patterns;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Options;

namespace Media.Pipelines.Analysis;

/// <summary>
/// A fixed gain followed by a peak limiter lands below the loudness target by what the limiter shaves off
/// (dB that depend on how peaky the speech is). During analysis each output's exact audio path (cuts, tempo,
/// gain, limiter) is run once into a loudness meter, audio only (a small fraction of a render's cost), and
/// the shortfall is stored as a correction; twice if the first correction was large. The render stays one pass.
/// </summary>
public sealed class LoudnessCalibrator(ToolRunner runner, IOptions<ToolPaths> tools)
{
    private const double GoodEnough = 0.2;

    /// <param name="parameters">The job's merge fields (the music file may come from one).</param>
    /// <param name="localPath">Fetches a stored object (music) to a local path.</param>
    /// <param name="bookends">The pattern's intro/outro probes by key (they take part of the length limit).</param>
    public async Task<SourceAnalysis> CalibrateAsync(
        Pattern pattern,
        MediaProbe probe,
        SourceAnalysis analysis,
        string input,
        string workDirectory,
        IReadOnlyDictionary<string, string> parameters,
        Func<string, Task<string>> localPath,
        IReadOnlyDictionary<string, MediaProbe> bookends,
        CancellationToken cancellationToken)
    {
        if (pattern.Steps.Loudness is not { } target || !probe.HasAudio || analysis.Loudness is null)
        {
            return analysis;
        }

        var corrections = new Dictionary<string, double>(StringComparer.Ordinal);
        // Every output and round mixes the same music: fetch it once (from S3 that is a download).
        var fetched = new Dictionary<string, string>(StringComparer.Ordinal);
        var clips = pattern.Steps.Clips is null ? [(int?)null] : (analysis.Clips ?? []).Select(c => (int?)c.Rank).ToList();
        foreach (var (output, clip) in pattern.Outputs.SelectMany(o => clips.Select(c => (o, c))))
        {
            var name = clip is { } k ? RenderPlanner.ClipOutputName(output.Name, k) : output.Name;
            var correction = 0.0;
            for (var round = 0; round < 2; round++)
            {
                var plan = RenderPlanner.Plan(pattern, output, probe, analysis with { LoudnessCorrections = new Dictionary<string, double> { [name] = correction } }, parameters, clip, bookends);
                if (plan.GainDb is null)
                {
                    break; // silent: nothing to correct
                }

                var log = Path.Combine(workDirectory, $"loudness-check-{name}.txt");
                var assets = RenderAssets.None;
                if (plan.Music is { } music)
                {
                    if (!fetched.TryGetValue(music.SourceKey, out var path))
                    {
                        fetched[music.SourceKey] = path = await localPath(music.SourceKey);
                    }

                    assets = new RenderAssets { MusicPath = path };
                }

                await runner.RunAsync(tools.Value.FFmpeg, RenderCommandBuilder.BuildAudioCheck(plan, input, log, assets).ToArguments(), cancellationToken);
                var measured = LastIntegrated(File.ReadLines(log));
                File.Delete(log);
                if (measured is not { } lufs)
                {
                    break;
                }

                var miss = target.TargetLufs - lufs;
                correction = Math.Clamp(correction + miss, -6, 12);
                if (Math.Abs(miss) < GoodEnough)
                {
                    break;
                }
            }

            corrections[name] = Math.Round(correction, 2);
        }

        return analysis with { LoudnessCorrections = corrections };
    }

    private static double? LastIntegrated(IEnumerable<string> lines)
    {
        double? last = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("lavfi.r128.I=", StringComparison.Ordinal)
                && double.TryParse(line.AsSpan(13).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                last = value;
            }
        }

        return last;
    }
}
