using System.Text.Json;
using System.Text.Json.Serialization;

namespace Media.Pipelines.Analysis;

/// <summary>
/// What patterns need to know about a source, measured once per job by the analysis stage and stored with
/// the job (`analysis.json`). Versioned: a render refuses a document it does not understand.
/// </summary>
public sealed record SourceAnalysis
{
    public const int CurrentVersion = 1;

    /// <summary>The name it is stored under with the job's outputs (the renders read it from there).</summary>
    public const string DocumentName = "analysis.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public int Version { get; init; } = CurrentVersion;

    public double DurationSeconds { get; init; }

    public LoudnessAnalysis? Loudness { get; init; }

    public SpeechAnalysis? Speech { get; init; }

    /// <summary>The words (recognised, or the script timed against the audio) with the backend and model that produced them.</summary>
    public Speech.Transcript? Transcript { get; init; }

    public FaceTrack? Faces { get; init; }

    /// <summary>Every face as a track and who speaks when (only for patterns that follow the active speaker).</summary>
    public Speakers.PeopleAnalysis? People { get; init; }

    /// <summary>Hard cuts between shots (seconds), measured with the faces: a face crop jumps at a cut instead of panning.</summary>
    public IReadOnlyList<double>? SceneCuts { get; init; }

    /// <summary>Motion energy and face counts at the face sample rate (measured with the faces, from the same frames).</summary>
    public VisualActivity? Visual { get; init; }

    /// <summary>Hook score per short window and the scorer model that gave them (clips step).</summary>
    public Hooks.HookAnalysis? Hooks { get; init; }

    /// <summary>The windows a fan-out pattern (clips step) renders, best first, with why.</summary>
    public IReadOnlyList<ClipChoice>? Clips { get; init; }

    /// <summary>
    /// Per output: dB to add to the computed gain so the output lands on its loudness target after the peak
    /// limiter (measured by running the output's exact audio path once during analysis).
    /// </summary>
    public IReadOnlyDictionary<string, double>? LoudnessCorrections { get; init; }

    /// <summary>Whether a job of this pattern has an analysis stage: only when a step needs a measurement.</summary>
    public static bool IsNeededBy(Patterns.Pattern pattern) => pattern.Steps.Needs != Patterns.Steps.AnalysisNeeds.None;

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static SourceAnalysis FromJson(ReadOnlySpan<byte> json)
    {
        var analysis = JsonSerializer.Deserialize<SourceAnalysis>(json, Json) ?? throw new InvalidDataException("The analysis document is empty.");
        return analysis.Version == CurrentVersion
            ? analysis
            : throw new InvalidDataException($"Analysis document version {analysis.Version} is not supported (this worker reads version {CurrentVersion}).");
    }
}

/// <summary>
/// EBU R128 loudness: the integrated value of the whole source, and the momentary (400 ms) loudness every
/// <see cref="StepSeconds"/>, which is exactly the BS.1770 gating block series: the integrated loudness of any
/// part of the source (a trim, the kept parts of jump cuts) is computed from it without decoding again.
/// </summary>
/// <param name="Momentary">Momentary[i] is the loudness (LUFS) of the 400 ms ending at (i + 1) * StepSeconds.</param>
public sealed record LoudnessAnalysis(double IntegratedLufs, double StepSeconds, IReadOnlyList<double> Momentary);

/// <summary>
/// Per sampled frame: Motion is the mean absolute luma change from the previous sample (0..255 scale), FaceCounts
/// how many faces the detector found.
/// </summary>
public sealed record VisualActivity(double SampleRate, IReadOnlyList<float> Motion, IReadOnlyList<int> FaceCounts);

/// <summary>Where people speak, from a voice activity model.</summary>
public sealed record SpeechAnalysis(string Model, IReadOnlyList<TimeRange> Segments);

/// <summary>The main (largest) face on frames sampled at a fixed rate; null where none was found.</summary>
public sealed record FaceTrack(string Model, double SampleRate, IReadOnlyList<FaceSample> Samples);

/// <summary>A face box in fractions of the frame (0..1).</summary>
public sealed record FaceSample(double TimeSeconds, float X, float Y, float Width, float Height, float Score)
{
    public float CenterX => X + Width / 2;
}

/// <summary>A span of source time in seconds, [Start, End).</summary>
public readonly record struct TimeRange(double Start, double End)
{
    public double Duration => End - Start;
}
