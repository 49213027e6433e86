using System.Globalization;
using Media.Pipelines.Analysis;
using Media.Pipelines.Tools;

namespace Media.Bench;

/// <summary>
/// Two-person footage built from real material: two GRID corpus speakers side by side (each cropped to his head and
/// shoulders, 960x576), taking turns. The one speaking is his own clip with his own sound; the other's picture is a
/// silent stretch of himself (the silence before his sentence, played forward and back, so he moves a little but
/// does not speak). Turns of about 2 to 5 s and one interjection of half a second ("soon"), whose truth is known.
/// </summary>
internal static class TwoSpeakerFootage
{
    public const string LeftClip = "talking_head/grid_bbaf2n.mpg";
    public const string RightClip = "talking_head/grid_id2_swwp2s.mpg";

    /// <summary>Where each clip's speech is, in the clip's own time (silencedetect at -35 dB; the right one agrees with its .align file).</summary>
    private static readonly TimeRange LeftSpeech = new(0.46, 2.51);
    private static readonly TimeRange RightSpeech = new(0.49, 2.21);

    /// <summary>Each clip's silent lead, which the listener's picture is made of.</summary>
    private const double LeftRest = 0.44;
    private const double RightRest = 0.46;

    private static readonly (bool Left, double From, double To)[] Segments =
    [
        (true, 0, 2.7),
        (false, 0.2, 2.5),
        (true, 0.2, 2.7),
        (true, 0.3, 2.7),   // two sentences in a row: a 5 s turn
        (false, 1.7, 2.3),  // the interjection: "soon"
        (true, 0.3, 2.7),
        (false, 0.2, 2.9),
    ];

    /// <summary>A stretch of the footage where one person speaks (output time), and whether it is the interjection.</summary>
    public sealed record Turn(double Start, double End, bool Left, bool Interjection);

    public static IReadOnlyList<Turn> Truth()
    {
        var turns = new List<Turn>();
        var at = 0.0;
        foreach (var (left, from, to) in Segments)
        {
            var speech = left ? LeftSpeech : RightSpeech;
            var start = Math.Max(from, speech.Start);
            var end = Math.Min(to, speech.End);
            if (end > start)
            {
                turns.Add(new Turn(at + start - from, at + end - from, left, to - from < 1));
            }

            at += to - from;
        }

        return turns;
    }

    public static double Duration => Segments.Sum(s => s.To - s.From);

    public static async Task<string> BuildAsync(ToolRunner runner, string media, string folder, CancellationToken cancellationToken)
    {
        var left = Path.Combine(media, LeftClip);
        var right = Path.Combine(media, RightClip);
        var list = new List<string>();
        for (var i = 0; i < Segments.Length; i++)
        {
            var (isLeft, from, to) = Segments[i];
            var length = to - from;
            var (speaker, listener, rest) = isLeft ? (left, right, RightRest) : (right, left, LeftRest);
            var stack = isLeft ? "[s][q]" : "[q][s]";
            var graph = string.Create(CultureInfo.InvariantCulture,
                $"[0:v]trim={from}:{to},setpts=PTS-STARTPTS,fps=25,crop=240:288:60:0[s];" +
                $"[1:v]trim=0:{rest},setpts=PTS-STARTPTS,fps=25,crop=240:288:60:0,split[f][b];[b]reverse[r];[f][r]concat=n=2:v=1:a=0,loop=loop=-1:size=32767,trim=0:{length},setpts=PTS-STARTPTS[q];" +
                $"{stack}hstack,scale=960:576,setsar=1[v];[0:a]atrim={from}:{to},asetpts=PTS-STARTPTS,aresample=44100,aformat=channel_layouts=stereo[a]");
            var part = Path.Combine(folder, $"turn{i}.mp4");
            await runner.RunAsync("ffmpeg", ["-v", "error", "-y", "-i", speaker, "-i", listener, "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", length.ToString(CultureInfo.InvariantCulture), part], cancellationToken);
            list.Add($"file '{part}'");
        }

        var listPath = Path.Combine(folder, "turns.txt");
        await File.WriteAllLinesAsync(listPath, list, cancellationToken);
        var output = Path.Combine(folder, "two-speakers.mp4");
        await runner.RunAsync("ffmpeg", ["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listPath, "-c", "copy", output], cancellationToken);
        return output;
    }

    /// <summary>How long the left speaker is alone before <see cref="BuildAloneThenTwoAsync"/> cuts to both.</summary>
    public const double AloneSeconds = 2.7;

    /// <summary>
    /// The left speaker alone, filling the frame for <see cref="AloneSeconds"/>, then a cut to the two-person footage: a
    /// layout must stay one crop for the first shot and stack both people from the cut on.
    /// </summary>
    public static async Task<string> BuildAloneThenTwoAsync(ToolRunner runner, string media, string twoSpeakers, string folder, CancellationToken cancellationToken)
    {
        var output = Path.Combine(folder, "alone-then-two.mp4");
        var graph = string.Create(CultureInfo.InvariantCulture,
            $"[0:v]trim=0:{AloneSeconds},setpts=PTS-STARTPTS,fps=25,crop=360:216:0:0,scale=960:576,setsar=1[v0];" +
            $"[0:a]atrim=0:{AloneSeconds},asetpts=PTS-STARTPTS,aresample=44100,aformat=channel_layouts=stereo[a0];" +
            $"[1:v]fps=25,setsar=1[v1];[1:a]aresample=44100,aformat=channel_layouts=stereo[a1];[v0][a0][v1][a1]concat=n=2:v=1:a=1[v][a]");
        await runner.RunAsync("ffmpeg", ["-v", "error", "-y", "-i", Path.Combine(media, LeftClip), "-i", twoSpeakers, "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", output], cancellationToken);
        return output;
    }

    /// <summary>Three GRID speakers side by side (960x384, 2.5 s): more people than a 9:16 crop or a split can hold.</summary>
    public static async Task<string> BuildThreeAsync(ToolRunner runner, string media, string folder, CancellationToken cancellationToken)
    {
        var output = Path.Combine(folder, "three.mp4");
        string[] clips = [LeftClip, "talking_head/grid_swiz3n.mpg", RightClip];
        var graph = string.Create(CultureInfo.InvariantCulture,
            $"[0:v]trim=0:2.5,setpts=PTS-STARTPTS,fps=25,crop=240:288:60:0[a];[1:v]trim=0:2.5,setpts=PTS-STARTPTS,fps=25,crop=240:288:60:0[b];" +
            $"[2:v]trim=0:2.5,setpts=PTS-STARTPTS,fps=25,crop=240:288:60:0[c];[a][b][c]hstack=inputs=3,scale=960:384,setsar=1[v];[0:a]atrim=0:2.5,asetpts=PTS-STARTPTS[s]");
        await runner.RunAsync("ffmpeg", ["-v", "error", "-y", .. clips.SelectMany(c => new[] { "-i", Path.Combine(media, c) }), "-filter_complex", graph, "-map", "[v]", "-map", "[s]",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", output], cancellationToken);
        return output;
    }
}
