namespace Media.Pipelines.Speech;

/// <summary>Speech recognition settings (Media:Speech).</summary>
public sealed class SpeechOptions
{
    public const string Section = "Media:Speech";

    /// <summary>"pocketsphinx" (the default that works everywhere) or "whisper" (whisper.cpp; needs a ggml model file).</summary>
    public string Backend { get; set; } = "pocketsphinx";

    /// <summary>Debian's pocketsphinx-en-us model folder (acoustic model, language model, dictionary).</summary>
    public string PocketSphinxModel { get; set; } = "/usr/share/pocketsphinx/model/en-us";

    /// <summary>pocketsphinx_batch: it decodes the utterances the analysis found, each on its own.</summary>
    public string PocketSphinxTool { get; set; } = "pocketsphinx_batch";

    /// <summary>A ggml whisper model (e.g. ggml-base.en.bin); empty = whisper/ggml-base.en.bin in the models folder. No weights ship with the farm.</summary>
    public string WhisperModel { get; set; } = string.Empty;

    /// <summary>Threads per recognition; 0 = up to 4, never more than the machine has.</summary>
    public int WhisperThreads { get; set; }

    /// <summary>Spoken language ("en", "de", ...) or "auto" to detect it (multilingual models only).</summary>
    public string WhisperLanguage { get; set; } = "en";

    /// <summary>
    /// Captions recognised without a script whose words' mean confidence is under this get a warning on the job
    /// (code low_caption_confidence); 0 = never.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0.0, 1.0)]
    public double MinMeanConfidence { get; set; } = CaptionConfidenceFloor;

    /// <summary>The default floor (see the README's Captions section for how it was chosen).</summary>
    public const double CaptionConfidenceFloor = 0.6;
}
