using Media.Protos.V1;

namespace Media.Bench.Chaos;

/// <summary>
/// "No job run to success twice", read from a job's stored event log (state changes are never compacted): the job ends
/// once, has at most one result, and each stage succeeds at most once, by the attempt its record holds, so a killed
/// attempt that finished late was not accepted beside the retry that replaced it.
/// </summary>
internal sealed record SuccessLedger(int EndedTwice, int ResultsTwice, int StageSuccesses, int StagesTwice, int AcceptedOther, int Unlogged)
{
    public static SuccessLedger Empty { get; } = new(0, 0, 0, 0, 0, 0);

    public int Violations => EndedTwice + ResultsTwice + StagesTwice + AcceptedOther + Unlogged;

    public static SuccessLedger Of(IReadOnlyList<JobEvent> log, Job record)
    {
        var ends = log.Count(e => e.StateChanged?.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled);
        var results = log.Count(e => e.Result is not null);
        var stages = record.Stages.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var successes = log.Where(e => e.StageChanged?.State == StageState.Succeeded).GroupBy(e => e.StageChanged.StageId, StringComparer.Ordinal).ToList();
        var logged = successes.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return new SuccessLedger(
            ends == 1 ? 0 : 1,
            results <= 1 ? 0 : 1,
            successes.Count,
            successes.Count(g => g.Count() > 1),
            successes.Count(g => !(stages.TryGetValue(g.Key, out var s) && s.State == StageState.Succeeded && s.Attempt == g.First().StageChanged.Attempt)),
            stages.Values.Count(s => s.State == StageState.Succeeded && !logged.Contains(s.Id)));
    }

    public static SuccessLedger operator +(SuccessLedger a, SuccessLedger b) => new(
        a.EndedTwice + b.EndedTwice, a.ResultsTwice + b.ResultsTwice, a.StageSuccesses + b.StageSuccesses,
        a.StagesTwice + b.StagesTwice, a.AcceptedOther + b.AcceptedOther, a.Unlogged + b.Unlogged);
}
