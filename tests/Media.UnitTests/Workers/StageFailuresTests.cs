using Media.Pipelines.Probe;
using Media.Pipelines.Tools;
using Media.Platform.Storage;
using Media.Workers;

namespace Media.UnitTests.Workers;

public sealed class StageFailuresTests
{
    [Fact]
    public void Describe_InvalidMedia_IsPermanentWithTail()
    {
        var error = StageFailures.Describe(new InvalidMediaException("bad", "moov atom not found"));

        Assert.Equal(("invalid_media", false, "moov atom not found"), (error.Code, error.Retryable, error.ToolStderrTail));
    }

    [Fact]
    public void Describe_ToolDataError_IsPermanent()
    {
        var error = StageFailures.Describe(new ToolFailedException("ffmpeg", 1, "x\n[h264] Invalid data found when processing input"));

        Assert.False(error.Retryable);
        Assert.Contains("Invalid data found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ToolKilledOrMissing_IsRetryable()
    {
        Assert.True(StageFailures.Describe(new ToolFailedException("ffmpeg", 137, "")).Retryable);
        Assert.True(StageFailures.Describe(new ToolFailedException("ffmpeg", -1, "could not start")).Retryable);
    }

    [Fact]
    public void Describe_MissingSourceOrIo_ClassifiedByKind()
    {
        Assert.False(StageFailures.Describe(new BlobNotFoundException("k")).Retryable);
        Assert.True(StageFailures.Describe(new IOException("reset")).Retryable);
    }

    [Fact]
    public void Describe_UnusableRecognizer_IsPermanentAndNamedAsSetup()
    {
        var error = StageFailures.Describe(new Media.Pipelines.Speech.RecognizerUnavailableException("The whisper model is missing at /m.bin."));

        Assert.Equal(("recognizer_unavailable", false), (error.Code, error.Retryable));
        Assert.Contains("/m.bin", error.Message, StringComparison.Ordinal);
    }
}
