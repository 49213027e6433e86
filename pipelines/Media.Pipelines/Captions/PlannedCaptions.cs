using Media.Pipelines.Speech;

namespace Media.Pipelines.Captions;

/// <summary>
/// Captions resolved for one output: laid out on the output's timeline, the output-time words they show, the same words
/// at their source times (what an edit plan records), the transcript they came from and the style to draw them in.
/// </summary>
public sealed record PlannedCaptions(CaptionsStep Step, IReadOnlyList<Caption> Captions, IReadOnlyList<Word> Words, Transcript Transcript, IReadOnlySet<string> Emphasis)
{
    /// <summary>The words of <see cref="Captions"/> in order, with their source times (empty when not known).</summary>
    public IReadOnlyList<Word> SourceWords { get; init; } = [];

    /// <summary>Maps source-time words onto the output: dropped where cut, shifted and scaled through the kept pieces and speed.</summary>
    public static IReadOnlyList<Word> ToOutputTimeline(IReadOnlyList<Word> words, IReadOnlyList<Render.PlannedSegment> segments, double speed) =>
        [.. Map(words, segments, speed).Select(p => p.Output)];

    /// <summary>Each kept word with its place on the output (a word is kept when its middle is inside a kept piece).</summary>
    public static IReadOnlyList<(int Index, Word Source, Word Output)> Map(IReadOnlyList<Word> words, IReadOnlyList<Render.PlannedSegment> segments, double speed)
    {
        var result = new List<(int, Word, Word)>();
        var offset = 0.0;
        foreach (var segment in segments)
        {
            for (var i = 0; i < words.Count; i++)
            {
                var word = words[i];
                var middle = (word.Start + word.End) / 2;
                if (middle < segment.Start || middle >= segment.End)
                {
                    continue;
                }

                var start = offset + ((Math.Max(word.Start, segment.Start) - segment.Start) / segment.Speed);
                var end = offset + ((Math.Min(word.End, segment.End) - segment.Start) / segment.Speed);
                result.Add((i, word, word with { Start = start / speed, End = end / speed }));
            }

            offset += segment.OutputDuration;
        }

        return result;
    }
}
