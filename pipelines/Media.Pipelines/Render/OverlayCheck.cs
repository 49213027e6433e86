using System.Globalization;
using System.Text.RegularExpressions;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Fonts;
using Media.Pipelines.Tools;

namespace Media.Pipelines.Render;

/// <summary>
/// Checks what a viewer sees of an output's burned-in text: the same ASS scripts the render burns in (captions, then
/// titles) are drawn by libass over a black frame of the output's size at the start of every event (where pop's newest
/// word is at its largest), and the drawn pixels' bounding box of each frame must lie inside the safe area and touch no
/// frame edge. Every character shown must have a glyph in a font libass can use (else it draws a box or nothing).
/// </summary>
public static partial class OverlayCheck
{
    /// <summary>Gray level above which a pixel counts as drawn (antialiasing fringes are fainter).</summary>
    private const byte Ink = 24;

    /// <summary>At most this many frames are drawn per check (evenly chosen among the event starts).</summary>
    public const int MaxSamples = 600;

    public static async Task<OverlayReport> RunAsync(
        ToolRunner runner,
        string ffmpeg,
        IReadOnlyList<string> scripts,
        string fontsDirectory,
        int width,
        int height,
        TextWidths widths,
        CancellationToken cancellationToken)
    {
        var texts = scripts.Select(File.ReadAllText).ToList();
        var frames = SampleFrames(texts);
        var missing = texts.SelectMany(DialogueTexts).SelectMany(widths.Missing).Distinct(StringComparer.Ordinal).ToList();
        if (frames.Count == 0)
        {
            return new OverlayReport(0, [], missing);
        }

        var safe = SafeArea.For(width, height);
        var problems = new List<OverlayProblem>();
        var drawn = await DrawAsync(runner, ffmpeg, scripts, fontsDirectory, width, height, frames, cancellationToken);
        foreach (var (frame, found) in drawn)
        {
            if (found is not { } box)
            {
                continue;
            }

            var seconds = frame / 100.0;
            if (box.Left == 0 || box.Top == 0 || box.Right == width - 1 || box.Bottom == height - 1)
            {
                problems.Add(new OverlayProblem(seconds, box, "touches the frame edge"));
            }
            else if (box.Left < safe.Left || box.Right >= safe.Right || box.Top < safe.Top || box.Bottom >= safe.Bottom)
            {
                problems.Add(new OverlayProblem(seconds, box, Invariant($"outside the safe area x {safe.Left}-{safe.Right}, y {safe.Top}-{safe.Bottom}")));
            }
        }

        return new OverlayReport(drawn.Count, problems, missing);
    }

    /// <summary>The scripts drawn by libass over black at these frames (100 fps), and each frame's drawn pixels' box (null: nothing drawn).</summary>
    public static async Task<IReadOnlyList<(int Frame, InkBox? Box)>> DrawAsync(
        ToolRunner runner,
        string ffmpeg,
        IReadOnlyList<string> scripts,
        string fontsDirectory,
        int width,
        int height,
        IReadOnlyList<int> frames,
        CancellationToken cancellationToken)
    {
        var filters = new List<Filter>
        {
            // Up to MaxSamples frames: summed as a tree, a flat sum of more than about 97 would not parse.
            Filter.Of("select", ("expr", ExpressionSum.Of([.. frames.Select(f => Invariant($"+eq(n,{f})"))]))),
        };
        filters.AddRange(scripts.Select(s => Filter.Of("ass", ("filename", s), ("fontsdir", fontsDirectory))));
        filters.Add(Filter.Of("format", ("pix_fmts", "gray")));
        var command = new FFmpegCommand
        {
            // Progress lines would go to stdout, which carries the frames.
            ReportProgress = false,
            Inputs = [new FFmpegInput(Invariant($"color=c=black:s={width}x{height}:r=100:d={(frames.Max() + 2) / 100.0}")) { Format = "lavfi" }],
            Graph = new FilterGraph([new FilterChain(["0:v"], filters, ["v"])]),
            Maps = ["[v]"],
            OutputOptions = ["-fps_mode", "passthrough", "-f", "rawvideo"],
            OutputPath = "-",
        };

        var ordered = frames.Distinct().Order().ToList();
        var boxes = new List<(int, InkBox?)>();
        await runner.RunAsync(ffmpeg, command.ToArguments(), cancellationToken, readStdout: async stream =>
        {
            var frame = new byte[width * height];
            while (await ReadFrameAsync(stream, frame))
            {
                boxes.Add((boxes.Count < ordered.Count ? ordered[boxes.Count] : -1, InkBox.Of(frame, width, height)));
            }
        });

        return boxes;
    }

    /// <summary>Frame numbers at 100 fps (ASS's centiseconds) where an event starts, at most <see cref="MaxSamples"/>.</summary>
    public static IReadOnlyList<int> SampleFrames(IEnumerable<string> scripts)
    {
        var starts = scripts.SelectMany(s => DialogueRegex().Matches(s).Select(m => Centiseconds(m.Groups["start"].Value)))
            .Distinct().Order().ToList();
        if (starts.Count <= MaxSamples)
        {
            return starts;
        }

        return [.. Enumerable.Range(0, MaxSamples).Select(i => starts[(int)((long)i * starts.Count / MaxSamples)])];
    }

    /// <summary>The visible text of each event: override blocks removed, line breaks as spaces.</summary>
    public static IEnumerable<string> DialogueTexts(string script) =>
        DialogueRegex().Matches(script).Select(m => OverrideRegex().Replace(m.Groups["text"].Value, string.Empty).Replace("\\N", " ", StringComparison.Ordinal));

    private static async Task<bool> ReadFrameAsync(Stream stream, byte[] frame)
    {
        var read = 0;
        while (read < frame.Length)
        {
            var n = await stream.ReadAsync(frame.AsMemory(read));
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private static int Centiseconds(string time)
    {
        var parts = time.Split(':');
        return (int)Math.Round(((int.Parse(parts[0], CultureInfo.InvariantCulture) * 3600) + (int.Parse(parts[1], CultureInfo.InvariantCulture) * 60) + double.Parse(parts[2], CultureInfo.InvariantCulture)) * 100);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Dialogue: \d+,(?<start>[^,]+),[^,]+,(?:[^,]*,){6}(?<text>.*)$", RegexOptions.Multiline)]
    private static partial Regex DialogueRegex();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex OverrideRegex();

    /// <summary>The drawn pixels' bounding box of one gray frame (inclusive pixel coordinates).</summary>
    public readonly record struct InkBox(int Left, int Top, int Right, int Bottom)
    {
        public static InkBox? Of(ReadOnlySpan<byte> frame, int width, int height)
        {
            int left = width, right = -1, top = -1, bottom = -1;
            for (var y = 0; y < height; y++)
            {
                var row = frame.Slice(y * width, width);
                var first = row.IndexOfAnyInRange((byte)(Ink + 1), byte.MaxValue);
                if (first < 0)
                {
                    continue;
                }

                top = top < 0 ? y : top;
                bottom = y;
                left = Math.Min(left, first);
                right = Math.Max(right, row.LastIndexOfAnyInRange((byte)(Ink + 1), byte.MaxValue));
            }

            return top < 0 ? null : new InkBox(left, top, right, bottom);
        }

        public override string ToString() => $"x {Left}-{Right}, y {Top}-{Bottom}";
    }
}

/// <summary>One drawn frame whose text is where a viewer would miss some of it.</summary>
public sealed record OverlayProblem(double Seconds, OverlayCheck.InkBox Box, string Reason)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"at {Seconds:0.00} s ink at {Box} {Reason}");
}

/// <summary>What <see cref="OverlayCheck"/> found: frames drawn, frames with text out of place, characters no font has.</summary>
public sealed record OverlayReport(int Frames, IReadOnlyList<OverlayProblem> Problems, IReadOnlyList<string> MissingGlyphs)
{
    public bool Clean => Problems.Count == 0 && MissingGlyphs.Count == 0;

    public override string ToString() =>
        Clean ? $"text fits on {Frames} frames" : string.Join("; ", Problems.Take(3).Select(p => p.ToString()).Concat(MissingGlyphs.Count > 0 ? [$"no glyph for {string.Join(' ', MissingGlyphs)}"] : []));
}
