namespace Media.Platform;

/// <summary>Which transport and storage the process uses (Media:Bus, Media:Storage).</summary>
public sealed class PlatformOptions
{
    public const string Section = "Media";

    public const string InProcessBus = "inprocess";
    public const string KafkaBus = "kafka";
    public const string FolderStorage = "folder";
    public const string S3Storage = "s3";

    public string Bus { get; set; } = InProcessBus;

    public string Storage { get; set; } = FolderStorage;
}
