namespace Media.Pipelines.Analysis;

/// <summary>
/// How a long source's analysis is split into time ranges that any worker may analyse in parallel (the analyze stage then
/// merges them). Range edges fall on multiples of <see cref="GridSeconds"/>, where the analysis' own grids meet (the
/// 0.1 s loudness steps, the 32 ms voice-activity windows, the 2 fps face samples), so a merged analysis samples the
/// same instants as one made in a single pass. Each range is decoded from <see cref="LeadSeconds"/> before its start
/// (the loudness meter's 400 ms window and the previous face sample warm up there; the voice activity, computed by
/// <see cref="VoiceActivityBlocks"/>, places the range's first utterances with it)
/// and its sound to <see cref="TailSeconds"/> past its end (for words <see cref="SpeechUtterances.ReachSeconds"/>: an
/// utterance starting inside is heard whole);
/// each keeps only what falls inside its own range (for words: the utterances that start there).
/// </summary>
public static class AnalysisChunks
{
    public const double GridSeconds = 4;

    public const double LeadSeconds = 8;

    /// <summary>A margin: the range's last voice-activity window and loudness step are whole even if the decode ends a sample early.</summary>
    public const double TailSeconds = 4;

    /// <summary>
    /// The ranges of a source: none (one pass) when it is not longer than <paramref name="chunkAfterSeconds"/> or chunking
    /// is off (0); else ranges of about <paramref name="chunkSeconds"/> on the grid, the last one ending at the duration.
    /// </summary>
    public static IReadOnlyList<TimeRange> Ranges(double durationSeconds, double chunkAfterSeconds, double chunkSeconds)
    {
        if (chunkAfterSeconds <= 0 || chunkSeconds <= 0 || durationSeconds <= chunkAfterSeconds)
        {
            return [];
        }

        var step = Math.Max(GridSeconds, Math.Round(chunkSeconds / GridSeconds) * GridSeconds);
        var count = Math.Max(2, (int)Math.Round(durationSeconds / step));
        var ranges = new List<TimeRange>(count);
        for (var i = 0; i < count; i++)
        {
            var start = i * step;
            ranges.Add(new TimeRange(start, i == count - 1 ? durationSeconds : start + step));
        }

        return ranges;
    }

    /// <summary>Where a part's analysis is stored for the merge (under the job's prefix, not among its outputs).</summary>
    public static string PartKey(string outputPrefix, string stageId) => $"{outputPrefix}/parts/{stageId}.json";

    /// <summary>The id of the analyze stage's chunk number <paramref name="index"/> (from 1).</summary>
    public static string PartStageId(string analyzeStageId, int index) => FormattableString.Invariant($"{analyzeStageId}.part{index:00}");

    /// <summary>Whether a stage id is one of the analyze stage's chunks.</summary>
    public static bool IsPartOf(string analyzeStageId, string stageId) => stageId.StartsWith(analyzeStageId + ".part", StringComparison.Ordinal);
}
