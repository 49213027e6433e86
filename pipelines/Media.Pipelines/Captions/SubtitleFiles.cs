using System.Globalization;
using System.Text;
using System.Text.Json;
using Media.Pipelines.Speech;

namespace Media.Pipelines.Captions;

/// <summary>Captions as SubRip, WebVTT and JSON words, for players and platforms that take sidecar files.</summary>
public static class SubtitleFiles
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Srt(IReadOnlyList<Caption> captions)
    {
        var text = new StringBuilder();
        for (var i = 0; i < captions.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}\n{Time(captions[i].Start, ',')} --> {Time(captions[i].End, ',')}\n{captions[i].Text}\n\n");
        }

        return text.ToString();
    }

    public static string WebVtt(IReadOnlyList<Caption> captions)
    {
        var text = new StringBuilder("WEBVTT\n\n");
        foreach (var caption in captions)
        {
            // '<' and '&' start markup in WebVTT cue text.
            var cue = caption.Text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture, $"{Time(caption.Start, '.')} --> {Time(caption.End, '.')}\n{cue}\n\n");
        }

        return text.ToString();
    }

    public static string WordsJson(Transcript transcript, IReadOnlyList<Word> outputWords) => JsonSerializer.Serialize(
        new { backend = transcript.Backend, model = transcript.Model, scriptAligned = transcript.ScriptAligned, words = outputWords.Select(w => new { text = w.Text, start = Math.Round(w.Start, 3), end = Math.Round(w.End, 3), confidence = Math.Round(w.Confidence, 3) }) },
        Json);

    private static string Time(double seconds, char separator)
    {
        var ms = (long)Math.Round(Math.Max(0, seconds) * 1000);
        return string.Create(CultureInfo.InvariantCulture, $"{ms / 3600000:00}:{ms / 60000 % 60:00}:{ms / 1000 % 60:00}{separator}{ms % 1000:000}");
    }
}
