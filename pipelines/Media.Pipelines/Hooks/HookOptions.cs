namespace Media.Pipelines.Hooks;

/// <summary>Hook scorer settings (Media:Hooks).</summary>
public sealed class HookOptions
{
    public const string Section = "Media:Hooks";

    /// <summary>An .onnx written by `media hooks train`; empty = the built-in version 1 model.</summary>
    public string Model { get; set; } = string.Empty;
}
