namespace Media.Pipelines.FFmpeg;

/// <summary>One block of ffmpeg's -progress output.</summary>
public sealed record FFmpegProgress(TimeSpan OutTime, double Fps, double Speed, bool IsEnd);
