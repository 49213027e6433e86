using Media.Pipelines.Speech;

namespace Media.Pipelines.Captions;

/// <summary>Captions resolved for one output: its words on the output's timeline, laid out, with the style to draw them in.</summary>
public sealed record PlannedCaptions(CaptionsStep Step, IReadOnlyList<Caption> Captions, IReadOnlyList<Word> Words, Transcript Transcript, IReadOnlySet<string> Emphasis)
{
    /// <summary>Maps source-time words onto the output: dropped where cut, shifted and scaled through the kept pieces and speed.</summary>
    public static IReadOnlyList<Word> ToOutputTimeline(IReadOnlyList<Word> words, IReadOnlyList<Render.PlannedSegment> segments, double speed)
    {
        var result = new List<Word>();
        var offset = 0.0;
        foreach (var segment in segments)
        {
            foreach (var word in words)
            {
                var middle = (word.Start + word.End) / 2;
                if (middle < segment.Start || middle >= segment.End)
                {
                    continue;
                }

                var start = offset + ((Math.Max(word.Start, segment.Start) - segment.Start) / segment.Speed);
                var end = offset + ((Math.Min(word.End, segment.End) - segment.Start) / segment.Speed);
                result.Add(word with { Start = start / speed, End = end / speed });
            }

            offset += segment.OutputDuration;
        }

        return result;
    }
}
