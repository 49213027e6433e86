namespace Media.Pipelines.Patterns.Steps;

/// <summary>
/// A pattern's edit steps. They are applied in one fixed order inside one filter graph (segment selection,
/// reframe, punch-ins, text, speed; loudness on the audio), so the order they are written in does not matter.
/// </summary>
public sealed record EditSteps
{
    public static readonly EditSteps Default = new();

    public TrimStep? Trim { get; init; }

    public JumpCutsStep? JumpCuts { get; init; }

    /// <summary>Fan-out: each output becomes this many clips, the best windows of the source.</summary>
    public ClipsStep? Clips { get; init; }

    public ReframeStep Reframe { get; init; } = new(ReframeMode.Center);

    public PunchInStep? PunchIn { get; init; }

    public IReadOnlyList<TextOverlay> Texts { get; init; } = [];

    public LoudnessStep? Loudness { get; init; }

    public LogoStep? Logo { get; init; }

    public Captions.CaptionsStep? Captions { get; init; }

    public MusicStep? Music { get; init; }

    /// <summary>A clip from storage ("blob:&lt;key&gt;", usually a merge field) played before the edit.</summary>
    public string? Intro { get; init; }

    /// <summary>A clip from storage played after the edit.</summary>
    public string? Outro { get; init; }

    /// <summary>Playback speed (pitch kept); 1 = unchanged.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>What the analysis stage must measure for these steps.</summary>
    public AnalysisNeeds Needs =>
        (JumpCuts is not null || Clips is not null || Captions is not null || PunchIn is { AtCuts: true } ? AnalysisNeeds.Speech : AnalysisNeeds.None)
        | (Captions is not null || JumpCuts is { Fillers.Count: > 0 } ? AnalysisNeeds.Words : AnalysisNeeds.None)
        | (Loudness is not null ? AnalysisNeeds.Loudness : AnalysisNeeds.None)
        | (Reframe.Mode is ReframeMode.Face or ReframeMode.Auto ? AnalysisNeeds.Faces : AnalysisNeeds.None)
        // Layouts need the people on screen as tracks, which come with the speaker analysis.
        | (Reframe.Mode is ReframeMode.Speaker || Reframe.Layout != ReframeLayout.Single ? AnalysisNeeds.Faces | AnalysisNeeds.Speech | AnalysisNeeds.Speakers : AnalysisNeeds.None)
        | (Clips is not null ? AnalysisNeeds.Loudness | AnalysisNeeds.Faces : AnalysisNeeds.None); // hook features

    /// <summary>
    /// True when each output is one edit of the source (the whole source, a trim, jump cuts, punch-ins, at any speed, with
    /// or without an intro and an outro around it; not fan-out clips), so a long output's edit can be rendered in parts of
    /// output time (see Render.RenderChunks); the planner has the last word.
    /// </summary>
    public bool RendersInParts => Clips is null;

    /// <summary>True when nothing changes the picture or sound beyond fitting it to the preset.</summary>
    public bool IsPlain => Trim is null && JumpCuts is null && Clips is null && PunchIn is null && Texts.Count == 0 && Loudness is null && Speed == 1
        && Logo is null && Music is null && Intro is null && Outro is null && Captions is null;
}

/// <summary>Keep [Start, End) of the source (End null = to the end).</summary>
public sealed record TrimStep(double StartSeconds, double? EndSeconds);

/// <summary>
/// Pick the Count best windows of MinSeconds..MaxSeconds by hook score, each starting where speech starts or
/// at a scene cut and ending at a sentence end or a cut.
/// </summary>
public sealed record ClipsStep(int Count, double MinSeconds, double MaxSeconds);

/// <summary>
/// Cut out pauses longer than MinSilence, keeping Padding of quiet on each side of speech; with SpeedUp
/// (1.5-8) the pauses are kept but played that much faster instead. <see cref="Fillers"/>: hesitations the recogniser
/// heard ("um", "uh", …) cut out too, and dropped from the captions.
/// </summary>
public sealed record JumpCutsStep(double MinSilenceSeconds = 0.5, double PaddingSeconds = 0.12, double SpeedUp = 0)
{
    /// <summary>The words cut as fillers (normalised: lower case); empty = none.</summary>
    public IReadOnlyList<string> Fillers { get; init; } = [];

    /// <summary>What `fillers: true` cuts.</summary>
    public static readonly IReadOnlyList<string> DefaultFillers = ["um", "uh", "uhm", "erm", "er", "ah", "hmm", "mm"];
}

/// <summary>How the source is fitted to the output frame; Face follows the speaker.</summary>
/// <param name="MaxPanPerSecond">Face mode: fastest the crop may move, in source widths per second.</param>
/// <param name="DeadZone">Face mode: how far (fraction of the crop width) the face may drift from the crop centre before it moves.</param>
/// <param name="MinShotSeconds">Speaker mode: the shortest time the crop stays on one person; split and auto layouts: the shortest time one layout is shown.</param>
/// <param name="Layout">Face-following modes: one crop, or two people stacked while both are on screen (see <see cref="ReframeLayout"/>).</param>
public sealed record ReframeStep(ReframeMode Mode, double MaxPanPerSecond = 0.3, double DeadZone = 0.1, double MinShotSeconds = 2, ReframeLayout Layout = ReframeLayout.Single);

/// <summary>Alternate between full frame and a zoom: every N seconds, or at every jump cut.</summary>
public sealed record PunchInStep(double Zoom, double? EverySeconds, bool AtCuts);

/// <summary>Speech loudness target (EBU R128 integrated) and the ceiling for peaks.</summary>
public sealed record LoudnessStep(double TargetLufs = -14, double TruePeakDb = -1.5);

/// <summary>An image from storage ("blob:&lt;key&gt;", usually a merge field) in a corner of the video.</summary>
/// <param name="Width">Logo width as a fraction of the output width.</param>
/// <param name="Margin">Distance from the edges as a fraction of the output width.</param>
public sealed record LogoStep(string Source, Corner Position = Corner.TopRight, double Width = 0.12, double Opacity = 0.9, double Margin = 0.04);

public enum Corner
{
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// <summary>
/// Background music from storage ("blob:&lt;key&gt;"), looped to the output's length, faded in and out, and
/// (Duck) pushed down while people speak (a sidechain compressor keyed by the speech).
/// </summary>
public sealed record MusicStep(string Source, double VolumeDb = -18, double FadeInSeconds = 1, double FadeOutSeconds = 2, bool Duck = true);

[Flags]
public enum AnalysisNeeds
{
    None = 0,
    Loudness = 1,
    Speech = 2,
    Faces = 4,
    Words = 8,

    /// <summary>Every face as a track, sampled densely, and who speaks when (the active speaker).</summary>
    Speakers = 16,
}
