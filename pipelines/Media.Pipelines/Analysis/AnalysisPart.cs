using System.Text.Json;
using System.Text.Json.Serialization;
using Media.Pipelines.Speech;

namespace Media.Pipelines.Analysis;

/// <summary>
/// What one time range of a source measured, on the whole source's clock, before the merge (see
/// <see cref="SourceAnalyzer.Merge"/>): the loudness steps, voice-activity probabilities, face samples and scene cuts
/// inside the range, and the words whose middle is inside it. A single-pass analysis is one part covering everything.
/// </summary>
public sealed record AnalysisPart
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public double Start { get; init; }

    public double End { get; init; }

    /// <summary>Momentary loudness at each 0.1 s step whose end lies in (Start, End].</summary>
    public IReadOnlyList<double>? Momentary { get; init; }

    /// <summary>Voice-activity probability of each window starting in [Start, End) (the last part: to the end of the audio).</summary>
    public IReadOnlyList<float>? SpeechProbabilities { get; init; }

    /// <summary>The words heard (not yet aligned to a script), with the recogniser that heard them.</summary>
    public IReadOnlyList<Word>? Words { get; init; }

    public string? RecognizerBackend { get; init; }

    public string? RecognizerModel { get; init; }

    public FaceTrack? Faces { get; init; }

    public IReadOnlyList<double>? SceneCuts { get; init; }

    public VisualActivity? Visual { get; init; }

    /// <summary>Every face on every sample, with its mouth's movement (only when the pattern follows the speaker).</summary>
    public IReadOnlyList<Speakers.FaceFrame>? FaceFrames { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static AnalysisPart FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<AnalysisPart>(json, Json) ?? throw new InvalidDataException("The analysis part is empty.");
}
