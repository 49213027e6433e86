using Media.Pipelines.Probe;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Options;
using Media.Pipelines.Faces;

namespace Media.Pipelines.Thumbnails.Selection;

/// <summary>
/// Picks the best frames of a video for covers: one ffmpeg call for a sheet of small candidates, scoring in
/// memory (faces, sharpness, exposure, contrast, cuts), a diverse pick, then one ffmpeg call for the chosen
/// frames at full resolution.
/// </summary>
public sealed class FrameSelection(ToolRunner runner, IOptions<ToolPaths> tools, IFaceDetector faces)
{
    public const int CellWidth = 320;

    public async Task<IReadOnlyList<SelectedFrame>> SelectAsync(string videoPath, MediaProbe source, int count, string workDirectory, CancellationToken cancellationToken)
    {
        var candidates = await ScoreCandidatesAsync(videoPath, source, workDirectory, cancellationToken);
        var chosen = FrameSelector.Choose(candidates, count, source.DurationSeconds);
        var paths = chosen.Select((_, i) => Path.Combine(workDirectory, $"chosen-{i}.png")).ToList();
        await runner.RunAsync(tools.Value.FFmpeg, ChosenFramesCommand.Build(videoPath, chosen.Select(c => c.TimeSeconds).ToList(), paths).ToArguments(), cancellationToken);
        return chosen.Select((c, i) => File.Exists(paths[i])
                ? new SelectedFrame(c, paths[i])
                : throw new InvalidDataException($"No frame could be extracted at {c.TimeSeconds:0.###} s."))
            .ToList();
    }

    public async Task<IReadOnlyList<FrameCandidate>> ScoreCandidatesAsync(string videoPath, MediaProbe source, string workDirectory, CancellationToken cancellationToken)
    {
        if (!source.HasVideo)
        {
            throw new InvalidMediaException("Thumbnails need a video stream; the source has only audio.");
        }

        var times = FrameSelector.CandidateTimes(source.DurationSeconds, FrameSelector.CandidateCount(source.DurationSeconds));
        var cellHeight = Math.Max(2, (int)Math.Round(CellWidth * (double)source.DisplayHeight / source.DisplayWidth / 2) * 2);
        var rate = source.FrameRate > 0 ? source.FrameRate : 25;
        var laterFrame = Math.Max(1, (int)Math.Round(rate * 0.2));
        var sheetPath = Path.Combine(workDirectory, "candidates.rgb");
        // Each candidate is read for a second more than the frames it needs.
        var window = ((laterFrame + 1) / rate) + 1;
        await runner.RunAsync(tools.Value.FFmpeg, CandidateSheetCommand.Build(videoPath, times, CellWidth, cellHeight, laterFrame, sheetPath, window).ToArguments(), cancellationToken);

        var sheet = await File.ReadAllBytesAsync(sheetPath, cancellationToken);
        var cellBytes = CellWidth * cellHeight * 3;
        var result = new List<FrameCandidate>(times.Count);
        for (var i = 0; i < times.Count && (i * 2 + 1) * cellBytes <= sheet.Length; i++)
        {
            var first = sheet.AsSpan(i * 2 * cellBytes, cellBytes);
            var later = sheet.AsSpan((i * 2 + 1) * cellBytes, cellBytes);
            var detected = faces.Detect(first, CellWidth, cellHeight);
            result.Add(FrameScorer.Score(times[i], FrameMetrics.Measure(first, CellWidth, cellHeight), FrameMetrics.Difference(first, later, CellWidth, cellHeight), detected, faces.IsAvailable));
        }

        return result.Count > 0 ? result : throw new InvalidDataException("No candidate frame could be decoded from the video.");
    }
}
