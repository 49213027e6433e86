namespace Media.Protos.V1;

/// <summary>What the job and stage states mean, decided here once for the API, the store, the workers and clients.</summary>
public static class States
{
    /// <summary>Succeeded, failed or cancelled: nothing more happens to the job unless a client retries or revises it.</summary>
    public static bool IsTerminal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    public static bool IsTerminal(this StageState state) => state is StageState.Succeeded or StageState.Failed or StageState.Cancelled;

    /// <summary>Handed to the bus or running on a worker: the stage holds a lease.</summary>
    public static bool IsActive(this StageState state) => state is StageState.Dispatched or StageState.Running;
}
