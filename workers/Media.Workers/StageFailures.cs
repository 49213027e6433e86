using Media.Pipelines.Probe;
using Media.Pipelines.Tools;
using Media.Platform.Storage;
using Media.Protos.V1;

namespace Media.Workers;

/// <summary>
/// Exception -> error report. Bad media and missing sources are permanent (retrying cannot help);
/// I/O hiccups and tools that died without a data error are worth another attempt.
/// </summary>
public static class StageFailures
{
    private static readonly string[] DataErrorMarkers =
    [
        "Invalid data found", "moov atom not found", "corrupt", "Error while decoding", "does not contain any stream",
        "could not find codec", "Invalid argument", "No such file or directory", "Output file #0 does not contain",
    ];

    public static JobError Describe(Exception exception) => exception switch
    {
        InvalidMediaException media => new JobError { Code = "invalid_media", Message = media.Message, ToolStderrTail = media.ToolStderrTail, Retryable = false },
        BlobNotFoundException missing => new JobError { Code = "source_missing", Message = missing.Message, Retryable = false },
        ToolFailedException tool => new JobError
        {
            Code = "tool_failed",
            Message = tool.Message,
            ToolStderrTail = tool.StderrTail,
            Retryable = tool.ExitCode is < 0 or >= 128 || !DataErrorMarkers.Any(m => tool.StderrTail.Contains(m, StringComparison.OrdinalIgnoreCase)),
        },
        InvalidDataException data => new JobError { Code = "invalid_media", Message = data.Message, Retryable = false },
        Media.Pipelines.Captions.CaptionsUnavailableException captions => new JobError { Code = "captions_empty", Message = captions.Message, Retryable = false },
        Media.Pipelines.Speech.RecognizerUnavailableException recognizer => new JobError { Code = "recognizer_unavailable", Message = recognizer.Message, Retryable = false },
        Hardware.GpuUnavailableException gpu => new JobError { Code = "gpu_unavailable", Message = gpu.Message, Retryable = true },
        PatternMismatchException pattern => new JobError { Code = "invalid_pattern", Message = pattern.Message, Retryable = false },
        IOException io => new JobError { Code = "io", Message = io.Message, Retryable = true },
        TimeoutException timeout => new JobError { Code = "timeout", Message = timeout.Message, Retryable = true },
        _ => new JobError { Code = "internal", Message = $"{exception.GetType().Name}: {exception.Message}", Retryable = true },
    };
}
