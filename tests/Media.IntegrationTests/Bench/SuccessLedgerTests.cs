using Media.Bench.Chaos;
using Media.Protos.V1;

namespace Media.IntegrationTests.Bench;

/// <summary>bench-chaos's "no job run to success twice" must see a second success, a late attempt accepted, a second end.</summary>
public sealed class SuccessLedgerTests
{
    [Fact]
    public void CleanLog_HasNoViolation()
    {
        var ledger = SuccessLedger.Of([Ran("render", 1), Succeeded("render", 2), Result(), Ended()], Record(("render", 2)));

        Assert.Equal(0, ledger.Violations);
        Assert.Equal(1, ledger.StageSuccesses);
    }

    [Fact]
    public void StageSucceededTwice_IsCounted()
    {
        var ledger = SuccessLedger.Of([Succeeded("render", 1), Succeeded("render", 2), Result(), Ended()], Record(("render", 2)));

        Assert.Equal(1, ledger.StagesTwice);
        Assert.Equal(1, ledger.AcceptedOther);
    }

    [Fact]
    public void LateAttemptAccepted_JobEndedTwice_ResultTwice_AreCounted()
    {
        var ledger = SuccessLedger.Of([Succeeded("render", 1), Result(), Ended(), Result(), Ended()], Record(("render", 2), ("covers", 1)));

        Assert.Equal(1, ledger.AcceptedOther);
        Assert.Equal(1, ledger.EndedTwice);
        Assert.Equal(1, ledger.ResultsTwice);
        Assert.Equal(1, ledger.Unlogged);
        Assert.Equal(4, (ledger + SuccessLedger.Empty).Violations);
    }

    private static JobEvent Ran(string stage, int attempt) => new() { StageChanged = new StageChanged { StageId = stage, State = StageState.Running, Attempt = attempt } };

    private static JobEvent Succeeded(string stage, int attempt) => new() { StageChanged = new StageChanged { StageId = stage, State = StageState.Succeeded, Attempt = attempt } };

    private static JobEvent Result() => new() { Result = new JobResult() };

    private static JobEvent Ended() => new() { StateChanged = new JobStateChanged { State = JobState.Succeeded } };

    private static Job Record(params (string Id, int Attempt)[] stages)
    {
        var job = new Job { State = JobState.Succeeded };
        job.Stages.AddRange(stages.Select(s => new Stage { Id = s.Id, State = StageState.Succeeded, Attempt = s.Attempt }));
        return job;
    }
}
