namespace Media.Pipelines.Speech;

/// <summary>The configured recognizer cannot run on this worker (its library or model is missing or unusable): a setup problem, not the job's.</summary>
public sealed class RecognizerUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
