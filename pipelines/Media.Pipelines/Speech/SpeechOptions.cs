namespace Media.Pipelines.Speech;

/// <summary>Speech recognition settings (Media:Speech).</summary>
public sealed class SpeechOptions
{
    public const string Section = "Media:Speech";

    /// <summary>pocketsphinx (the default that works everywhere).</summary>
    public string Backend { get; set; } = "pocketsphinx";

    /// <summary>Debian's pocketsphinx-en-us model folder (acoustic model, language model, dictionary).</summary>
    public string PocketSphinxModel { get; set; } = "/usr/share/pocketsphinx/model/en-us";

    public string PocketSphinxTool { get; set; } = "pocketsphinx_continuous";
}
