using System.Text.Json.Serialization;

namespace Media.Pipelines.Editing;

/// <summary>
/// One output's edit as a document: everything the render compiler consumes, in terms a client can read, change and
/// send back (Jobs.ReviseOutput). The farm renders only from this document: the first render plans it from the pattern
/// and the analysis, stores it with the output, and compiles the stored form; a revision compiles the client's edited
/// form. Times of ranges, words and crop keyframes are in source seconds; texts are timed on the output.
/// </summary>
public sealed record EditPlan
{
    public const int CurrentVersion = 1;

    /// <summary>The document format (1).</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>1 for the first render, then 2, 3, … for each revision; set by the farm.</summary>
    public int Revision { get; init; } = 1;

    /// <summary>The output this plan makes ("vertical", "vertical-clip2"); its files are named after it and the revision.</summary>
    public required string Output { get; init; }

    /// <summary>The source as probed (read-only): what ranges and crops are checked against.</summary>
    public required EditSource Source { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>A built-in encode preset of this size ("tiktok", "reels", "shorts", "youtube", "archive", …).</summary>
    public required string Preset { get; init; }

    /// <summary>"cpu" (libx264) or "gpu" (NVENC).</summary>
    public string Hardware { get; init; } = "cpu";

    /// <summary>Overall playback speed of the edit (1 = as recorded).</summary>
    public double Speed { get; init; } = 1;

    /// <summary>The source ranges kept, in output order; a range's zoom above 1 is a punch-in.</summary>
    public required IReadOnlyList<EditRange> Ranges { get; init; }

    public required EditReframe Reframe { get; init; }

    /// <summary>The burned-in captions and their words; null when the output has none.</summary>
    public EditCaptions? Captions { get; init; }

    /// <summary>Text overlays (title and the like), timed on the output.</summary>
    public IReadOnlyList<EditText> Texts { get; init; } = [];

    public EditLogo? Logo { get; init; }

    public EditMusic? Music { get; init; }

    /// <summary>Played before the edit (read-only in a revision).</summary>
    public EditBookend? Intro { get; init; }

    /// <summary>Played after the edit (read-only in a revision).</summary>
    public EditBookend? Outro { get; init; }

    public EditLoudness Loudness { get; init; } = new();

    /// <summary>The source is already deliverable and is copied, not encoded (the first render only).</summary>
    public bool StreamCopy { get; init; }

    /// <summary>The platform's length limit cut the output short.</summary>
    public bool Truncated { get; init; }

    /// <summary>The files of this revision are named after this ("vertical", then "vertical.r2", …).</summary>
    [JsonIgnore]
    public string FileBase => Revision > 1 ? $"{Output}.r{Revision}" : Output;

    /// <summary>The stored name of a revision's plan ("vertical.plan.json", "vertical.r2.plan.json").</summary>
    public static string DocumentName(string output, int revision) => (revision > 1 ? $"{output}.r{revision}" : output) + ".plan.json";
}

/// <summary>The source as probed.</summary>
public sealed record EditSource(int Width, int Height, double DurationSeconds, bool HasAudio);

/// <summary>A kept piece of the source [start, end) in seconds, played at <see cref="Speed"/>, punched in by <see cref="Zoom"/>.</summary>
public sealed record EditRange(double Start, double End)
{
    public double Speed { get; init; } = 1;

    public double Zoom { get; init; } = 1;
}

/// <summary>
/// How the source fills the frame: "center" (scale to cover, centre crop), "crop" (a window following
/// <see cref="Crop"/>'s keyframes), "fit" (letterbox) or "blurFill" (the whole frame over a blurred copy).
/// </summary>
public sealed record EditReframe(string Mode)
{
    public EditCrop? Crop { get; init; }

    /// <summary>Mode crop only: when two people are stacked or the whole picture is shown instead of the crop; null: never.</summary>
    public EditLayout? Layout { get; init; }
}

/// <summary>
/// Two-person layouts: during each span (source seconds) the frame shows <see cref="Top"/>'s window above
/// <see cref="Bottom"/>'s ("split"; each window the output's width and half its height once scaled) or the whole picture
/// over a blurred copy of itself ("wide"); the rest of the time, the crop. Both windows are <see cref="Width"/> x
/// <see cref="Height"/> source pixels, their centres piecewise linear between keyframes on both axes.
/// </summary>
public sealed record EditLayout(int Width, int Height, IReadOnlyList<EditLayoutSpan> Spans, IReadOnlyList<EditKeyframe> Top, IReadOnlyList<EditKeyframe> Bottom);

/// <summary>Source time [start, end) shown as "split" or "wide".</summary>
public sealed record EditLayoutSpan(double Start, double End, string Layout);

/// <summary>
/// The crop window (source pixels; the largest window of the output's shape, spanning one side of the source) and where
/// its centre is over time: piecewise linear between keyframes. Only the axis the window can move along changes.
/// </summary>
public sealed record EditCrop(int Width, int Height, IReadOnlyList<EditKeyframe> Keyframes);

/// <summary>The crop window's centre at a source time.</summary>
public sealed record EditKeyframe(double Time, double X, double Y);

/// <summary>Captions: their look, the words they show (source time) and where captions and lines break.</summary>
public sealed record EditCaptions
{
    public required EditCaptionStyle Style { get; init; }

    /// <summary>Words drawn in the highlight colour wherever they appear (normalised: lower case, no punctuation).</summary>
    public IReadOnlyList<string> Emphasis { get; init; } = [];

    /// <summary>Who heard the words ("pocketsphinx", "whisper.cpp", …) and whether they are the filmed script.</summary>
    public string Backend { get; init; } = string.Empty;

    public string Model { get; init; } = string.Empty;

    public bool ScriptAligned { get; init; }

    /// <summary>The words on screen, in order, each inside a kept range.</summary>
    public required IReadOnlyList<EditWord> Words { get; init; }
}

/// <summary>How captions are drawn: "karaoke", "pop", "boxed" or "minimal"; "bottom", "center" or "top"; size as a fraction of the height.</summary>
public sealed record EditCaptionStyle(string Style, string Position, double Size, string Color, string Highlight);

/// <summary>
/// A word as the captions show it: its text (correct it freely; the timing stays), when it is said in the source, how
/// sure the recogniser was, and what follows it on screen: nothing special, a new line, or a new caption.
/// </summary>
public sealed record EditWord(int Id, string Text, double Start, double End)
{
    public double Confidence { get; init; }

    /// <summary>"" (the caption goes on), "line" (a line break after it) or "caption" (the next word starts a new caption).</summary>
    public string Break { get; init; } = string.Empty;
}

/// <summary>A text overlay: its exact lines, when it shows (output seconds), how big (pixels) and where.</summary>
public sealed record EditText(string Text, double Start, double End, int FontSize, string Color, string Position)
{
    public string? BoxColor { get; init; }
}

/// <summary>A stored image in a corner ("blob:&lt;key&gt;"; the image itself cannot change in a revision).</summary>
public sealed record EditLogo(string Source, string Position, int Width, double Opacity, int Margin);

/// <summary>Stored music under the edit ("blob:&lt;key&gt;"), its level, fades and ducking under speech.</summary>
public sealed record EditMusic(string Source, double VolumeDb, double FadeInSeconds, double FadeOutSeconds, bool Duck);

/// <summary>A stored clip played before or after the edit.</summary>
public sealed record EditBookend(string Source, double DurationSeconds, bool HasAudio);

/// <summary>The fixed gain (dB) that brings the edit to its loudness target, and the limiter's ceiling (linear).</summary>
public sealed record EditLoudness
{
    public double? GainDb { get; init; }

    public double PeakLimit { get; init; } = 1;
}
