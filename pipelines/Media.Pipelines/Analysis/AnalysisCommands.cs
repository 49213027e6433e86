using Media.Pipelines.FFmpeg;

namespace Media.Pipelines.Analysis;

/// <summary>The ffmpeg calls of the analysis stage, as data (golden-tested).</summary>
public static class AnalysisCommands
{
    public const double FaceSampleRate = 2;

    /// <summary>
    /// The face sample rate when a pattern follows the active speaker: mouths open and close a few times a second,
    /// so 2 fps cannot see them move.
    /// </summary>
    public const double SpeakerSampleRate = 8;

    /// <summary>The face sample rate for what a pattern needs.</summary>
    public static double FaceRate(Patterns.Steps.AnalysisNeeds needs) => needs.HasFlag(Patterns.Steps.AnalysisNeeds.Speakers) ? SpeakerSampleRate : FaceSampleRate;
    public const int FaceFrameWidth = 256;

    /// <summary>
    /// One decode of the audio, two branches: EBU R128 momentary loudness written per frame to a text file,
    /// and 16 kHz mono float samples for voice activity. Either branch may be left out.
    /// </summary>
    /// <param name="window">Only this part of the source (seek to its start; timestamps then count from there).</param>
    public static FFmpegCommand Audio(string input, string? loudnessLogPath, string? samplesPath, DecodeWindow? window = null)
    {
        var wanted = new List<(string Label, string Path)>();
        if (loudnessLogPath is not null)
        {
            wanted.Add(("l", loudnessLogPath));
        }

        if (samplesPath is not null)
        {
            wanted.Add(("s", samplesPath));
        }

        if (wanted.Count == 0)
        {
            throw new ArgumentException("Nothing to measure.", nameof(samplesPath));
        }

        // Every branch hears the sound on the source's own timeline (gaps filled with silence): what is measured at a time
        // is what plays with the picture at that time.
        var chains = new List<FilterChain>
        {
            wanted.Count > 1
                ? new FilterChain(["0:a:0"], [SourceTimeline.Audio(), Filter.Of("asplit", ("outputs", wanted.Count))], [.. wanted.Select(w => w.Label)])
                : new FilterChain(["0:a:0"], [SourceTimeline.Audio()], [wanted[0].Label]),
        };

        string From(string label) => label;
        var outputs = new List<FFmpegOutput>();
        if (loudnessLogPath is not null)
        {
            chains.Add(new FilterChain(
                [From("l")],
                [Filter.Of("ebur128", ("metadata", 1)), Filter.Of("ametadata", ("mode", "print"), ("key", "lavfi.r128.M"), ("file", loudnessLogPath))],
                ["lo"]));
            outputs.Add(new FFmpegOutput(["[lo]"], ["-f", "null"], "-"));
        }

        if (samplesPath is not null)
        {
            chains.Add(new FilterChain(
                [From("s")],
                [Filter.Of("aresample", ("out_sample_rate", SileroVad.SampleRate)), Filter.Of("aformat", ("sample_fmts", "flt"), ("channel_layouts", "mono"))],
                ["so"]));
            outputs.Add(new FFmpegOutput(["[so]"], ["-f", "f32le"], samplesPath));
        }

        return new FFmpegCommand
        {
            Inputs = [Input(input, window)],
            Graph = new FilterGraph(chains),
            Maps = outputs[0].Maps,
            OutputOptions = ["-vn", .. outputs[0].Options],
            OutputPath = outputs[0].Path,
            AdditionalOutputs = outputs.Skip(1).ToList(),
        };
    }

    /// <summary>
    /// The sound of one block of utterances (<see cref="UtteranceSound"/>) as the recogniser takes it: 16 kHz mono 16-bit
    /// samples, raw, on the source's timeline from the window's start.
    /// </summary>
    public static FFmpegCommand UtteranceBlock(string input, DecodeWindow window, string rawPath) => new()
    {
        Inputs = [Input(input, window)],
        Graph = new FilterGraph(
        [
            new FilterChain(
                ["0:a:0"],
                [SourceTimeline.Audio(), Filter.Of("aresample", ("out_sample_rate", UtteranceSound.SampleRate)), Filter.Of("aformat", ("sample_fmts", "s16"), ("channel_layouts", "mono"))],
                ["wo"]),
        ]),
        Maps = ["[wo]"],
        OutputOptions = ["-vn", "-f", "s16le"],
        OutputPath = rawPath,
    };

    /// <summary>Scene score above which a frame starts a new shot (hard cuts score 0.1-0.35 on small frames; steady shots below 0.02).</summary>
    public const double SceneCutThreshold = 0.1;

    /// <summary>
    /// One decode of the video, two branches: small frames at a fixed rate as raw RGB for the face detector,
    /// and scene-change scores on smaller frames, printing the frames that start a new shot.
    /// </summary>
    /// <param name="sampleRate">Face frames per second (<see cref="FaceRate"/>).</param>
    public static FFmpegCommand Video(string input, int frameHeight, string framesPath, string scenesPath, DecodeWindow? window = null, double sampleRate = FaceSampleRate) => new()
    {
        Inputs = [Input(input, window)],
        Graph = new FilterGraph(
        [
            new FilterChain(["0:v:0"], [Filter.Of("split", ("outputs", 2))], ["fa", "sc"]),
            new FilterChain(
                ["fa"],
                [
                    Filter.Of("fps", ("fps", sampleRate)),
                    Filter.Of("scale", ("w", FaceFrameWidth), ("h", frameHeight)),
                    Filter.Of("format", ("pix_fmts", "rgb24")),
                ],
                ["f"]),
            new FilterChain(
                ["sc"],
                [
                    Filter.Of("scale", ("w", 160), ("h", -2)),
                    Filter.Of("select", ("expr", $"gt(scene,{FFmpegFormat.Number(SceneCutThreshold)})")),
                    Filter.Of("metadata", ("mode", "print"), ("key", "lavfi.scene_score"), ("file", scenesPath)),
                    new Filter("nullsink"),
                ],
                []),
        ]),
        Maps = ["[f]"],
        OutputOptions = ["-an", "-f", "rawvideo"],
        OutputPath = framesPath,
    };

    /// <summary>Times (seconds) of the frames the scene branch printed.</summary>
    public static IReadOnlyList<double> ParseSceneCuts(IEnumerable<string> lines)
    {
        var cuts = new List<double>();
        foreach (var line in lines)
        {
            var at = line.IndexOf("pts_time:", StringComparison.Ordinal);
            if (at >= 0 && double.TryParse(line.AsSpan(at + 9).Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var time))
            {
                cuts.Add(Math.Round(time, 3));
            }
        }

        return cuts;
    }

    private static FFmpegInput Input(string path, DecodeWindow? window) => window is { } w
        ? new FFmpegInput(path) { Seek = w.From > 0 ? TimeSpan.FromSeconds(w.From) : null, Duration = w.Until is { } until ? TimeSpan.FromSeconds(until - w.From) : null }
        : new FFmpegInput(path);

    /// <summary>Frame height for <see cref="FaceFrameWidth"/> keeping the display aspect (even, at least 2).</summary>
    public static int FaceFrameHeight(int displayWidth, int displayHeight) =>
        Math.Max(2, (int)Math.Round(FaceFrameWidth * (double)displayHeight / Math.Max(1, displayWidth) / 2) * 2);
}

/// <summary>The part of a source one decode reads: from <paramref name="From"/> seconds to <paramref name="Until"/> (null: the end).</summary>
public readonly record struct DecodeWindow(double From, double? Until);
