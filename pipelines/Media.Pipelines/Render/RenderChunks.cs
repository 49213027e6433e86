using System.Security.Cryptography;
using System.Text;
using Media.Pipelines.Analysis;

namespace Media.Pipelines.Render;

/// <summary>
/// How a long output is rendered on several workers: its video in time ranges of the output (each range one ffmpeg on
/// any worker: one decode of that part of the source, the whole graph, the same encoder settings), its sound by one more
/// stage beside them in one pass over the whole length (one AAC stream: no encoder priming or padding at the joins), then
/// the video parts joined by stream copy and muxed with the sound. Range edges fall on the GOP grid (<see cref="GridSeconds"/>: -g is two
/// seconds of frames at every preset's rate), so each part starts on a keyframe where a single render would have one
/// and holds a whole number of frames.
/// </summary>
public static partial class RenderChunks
{
    public const double GridSeconds = 2;

    /// <summary>The job warning's code when a render stage had parts but rendered its output in one piece instead.</summary>
    public const string PartsUnusedWarning = "render_parts_unused";

    /// <summary>
    /// Decoded and run through the graph before a part's first frame and discarded: the frame-rate conversion picks each
    /// output frame from the source frames around it, so the first kept frame is the one a single render picks.
    /// </summary>
    public const double LeadSeconds = 1;

    /// <summary>
    /// The output-time ranges for an output of this length: none (one render) when it is not longer than
    /// <paramref name="chunkAfterSeconds"/>, chunking is off (0) or the parts would be fewer than two. The output may
    /// still come out shorter (the planner has the last word): a part that begins after its end renders nothing.
    /// </summary>
    public static IReadOnlyList<TimeRange> Ranges(double sourceSeconds, double chunkAfterSeconds, double chunkSeconds)
    {
        if (chunkAfterSeconds <= 0 || chunkSeconds <= 0 || sourceSeconds <= chunkAfterSeconds)
        {
            return [];
        }

        var step = Math.Max(GridSeconds, Math.Round(chunkSeconds / GridSeconds) * GridSeconds);
        var count = (int)Math.Ceiling((sourceSeconds / step) - 1e-9);
        if (count > 1 && sourceSeconds - ((count - 1) * step) < GridSeconds)
        {
            // A last sliver shorter than a GOP (a 60.02 s source in 20 s parts) goes with the part before it.
            count--;
        }

        if (count < 2)
        {
            // One part would be the whole render, plus a join.
            return [];
        }

        var end = Math.Ceiling((sourceSeconds / GridSeconds) - 1e-9) * GridSeconds;
        return [.. Enumerable.Range(0, count).Select(i => new TimeRange(i * step, i == count - 1 ? end : (i + 1) * step))];
    }

    /// <summary>
    /// Whether a plan can be rendered in parts: any edit of the source (the whole of it at one speed, or kept pieces on the
    /// output's frame grid, <see cref="CutGrid"/>) whose every output frame a part can render exactly as a single render
    /// does, with or without an intro and an outro (the parts are the edit's; the first part also renders the intro's
    /// picture and the one ending the edit the outro's, and the join puts them around the edit). Not a stream copy:
    /// nothing to split.
    /// </summary>
    public static bool Chunkable(RenderPlan plan) => !plan.StreamCopy;

    /// <summary>A plan's identity: every part and the join must have rendered the same plan (checked before joining).</summary>
    public static string PlanDigest(string planDocument) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(planDocument)));

    /// <summary>The id of a render stage's part number <paramref name="index"/> (from 1).</summary>
    public static string PartStageId(string renderStageId, int index) => FormattableString.Invariant($"{renderStageId}.part{index:00}");

    /// <summary>The id of the stage that encodes a chunked output's sound, once for its whole length, beside the parts.</summary>
    public static string SoundStageId(string renderStageId) => renderStageId + ".sound";

    /// <summary>Whether a stage is one of the render stage's parts (its video parts or its sound).</summary>
    public static bool IsPartOf(string renderStageId, string stageId) =>
        stageId.StartsWith(renderStageId + ".part", StringComparison.Ordinal) || stageId == SoundStageId(renderStageId);

    public static bool IsSound(string stageId) => stageId.EndsWith(".sound", StringComparison.Ordinal);

    /// <summary>Whether a stage id is a video part of some render stage (<see cref="PartStageId"/>).</summary>
    public static bool IsVideoPart(string stageId) => VideoPart().IsMatch(stageId);

    /// <summary>
    /// The id under which a video part that also renders the same range of another output of the same edit (a variant:
    /// one decode for both) stores that output's part, media and manifest, as if the output had a part stage of its own;
    /// the output's render stage joins it from there. Output names never hold '_' (a storage key may).
    /// </summary>
    public static string VariantPartId(string partStageId, string outputName) => $"{partStageId}_{outputName}";

    /// <summary>
    /// The parts a render stage joins, among the stages it waits for: its own, and where its output is a variant rendered
    /// by another output's video parts, those parts' copies of its range (<see cref="VariantPartId"/>).
    /// </summary>
    /// <param name="patternOutput">The render stage's output as the pattern names it (what a part's variants name).</param>
    public static IEnumerable<string> JoinedBy(string renderStageId, string patternOutput, IEnumerable<string> dependsOn) =>
        dependsOn.Select(id => IsPartOf(renderStageId, id) ? id : IsVideoPart(id) ? VariantPartId(id, patternOutput) : null).OfType<string>();

    /// <summary>Where a part's manifest (what it rendered) is stored, under the job's prefix and not among its outputs.</summary>
    public static string ManifestKey(string outputPrefix, string stageId) => $"{outputPrefix}/parts/{stageId}.json";

    /// <summary>Where a part's video (or the sound stage's AAC) is stored until the join.</summary>
    public static string MediaKey(string outputPrefix, string stageId) => $"{outputPrefix}/parts/{stageId}{(IsSound(stageId) ? ".m4a" : ".mp4")}";

    /// <summary>Where the intro's (<paramref name="which"/> "intro") or outro's ("outro") picture a part rendered is stored until the join.</summary>
    public static string BookendKey(string outputPrefix, string stageId, string which) => $"{outputPrefix}/parts/{stageId}.{which}.mp4";

    /// <summary>Every media file a part stage may store besides its manifest (its video or sound, the bookends' pictures): what is deleted once it is joined or discarded.</summary>
    public static IEnumerable<string> MediaKeys(string outputPrefix, string stageId) =>
        [MediaKey(outputPrefix, stageId), BookendKey(outputPrefix, stageId, "intro"), BookendKey(outputPrefix, stageId, "outro")];

    // A render stage's id holds ".render." (JobPlanner); an analysis chunk's (".analyze.partNN") does not.
    [System.Text.RegularExpressions.GeneratedRegex(@"\.render\..*\.part\d+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex VideoPart();
}

/// <summary>
/// What one part of a chunked render did, stored beside its media for the join: the plan it rendered (by digest), whether
/// that plan can be split at all, and the output range its video holds (none when the range begins after the output ends);
/// or, for the sound stage (<see cref="Sound"/>), that it encoded the whole output's sound (the intro's and outro's
/// included); and whether it also stored the picture of the intro (<see cref="Intro"/>, the first part) or of the outro
/// (<see cref="Outro"/>, the part that ends the edit).
/// </summary>
public sealed record RenderPartManifest(string PlanSha256, bool Splittable, double Start, double End, bool HasVideo, bool Sound = false, bool Intro = false, bool Outro = false)
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public byte[] ToJson() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static RenderPartManifest FromJson(ReadOnlySpan<byte> json) =>
        System.Text.Json.JsonSerializer.Deserialize<RenderPartManifest>(json, Json) ?? throw new FormatException("An empty render part manifest.");

    /// <summary>
    /// Whether these parts, in order, are the whole of an output whose edit is <paramref name="lengthSeconds"/> long,
    /// rendered from the plan with <paramref name="planSha256"/>: every part rendered that plan, the video parts' ranges
    /// follow each other from 0 to the end, one sound stage encoded the whole output's sound, and the plan's intro
    /// (<paramref name="intro"/>) and outro (<paramref name="outro"/>) pictures were stored by the first and the last video
    /// part, and by no other.
    /// </summary>
    public static bool Cover(IReadOnlyList<RenderPartManifest> parts, string planSha256, double lengthSeconds, bool intro = false, bool outro = false)
    {
        if (parts.Count == 0 || parts.Any(p => !p.Splittable || p.PlanSha256 != planSha256) || parts.Count(p => p.Sound) != 1)
        {
            return false;
        }

        var videos = parts.Where(p => p.HasVideo && !p.Sound).ToList();
        var end = 0.0;
        foreach (var part in videos)
        {
            if (Math.Abs(part.Start - end) > 1e-6)
            {
                return false;
            }

            end = part.End;
        }

        return Math.Abs(end - lengthSeconds) < 1e-6 && videos.Count > 0
            && parts.Count(p => p.Intro) == (intro ? 1 : 0) && videos[0].Intro == intro
            && parts.Count(p => p.Outro) == (outro ? 1 : 0) && videos[^1].Outro == outro;
    }
}
