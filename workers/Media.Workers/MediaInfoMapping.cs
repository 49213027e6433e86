using Media.Pipelines.Probe;
using Media.Protos.V1;

namespace Media.Workers;

/// <summary>Between the pipeline's probe record and the wire message.</summary>
public static class MediaInfoMapping
{
    public static MediaInfo ToProto(this MediaProbe probe) => new()
    {
        DurationSeconds = probe.DurationSeconds,
        Container = probe.Container,
        SizeBytes = probe.SizeBytes,
        Width = probe.Width,
        Height = probe.Height,
        FrameRate = probe.FrameRate,
        VideoCodec = probe.VideoCodec,
        Rotation = probe.Rotation,
        HasVideo = probe.HasVideo,
        HasAudio = probe.HasAudio,
        AudioCodec = probe.AudioCodec,
        SampleRate = probe.SampleRate,
        Channels = probe.Channels,
    };

    public static MediaProbe ToProbe(this MediaInfo info) => new()
    {
        DurationSeconds = info.DurationSeconds,
        Container = info.Container,
        SizeBytes = info.SizeBytes,
        Width = info.Width,
        Height = info.Height,
        FrameRate = info.FrameRate,
        VideoCodec = info.VideoCodec,
        Rotation = info.Rotation,
        HasVideo = info.HasVideo,
        HasAudio = info.HasAudio,
        AudioCodec = info.AudioCodec,
        SampleRate = info.SampleRate,
        Channels = info.Channels,
    };
}
