namespace Media.Protos.V1;

/// <summary>Error codes with a protocol meaning between workers and the orchestrator.</summary>
public static class StageErrorCodes
{
    /// <summary>A worker hands a stage back on shutdown; the orchestrator re-dispatches it without counting a failure.</summary>
    public const string WorkerStopping = "worker_stopping";
}
