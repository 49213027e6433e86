using System.Security.Cryptography;

namespace Media.Platform.Storage;

/// <summary>
/// Where one run of a stage stores its outputs: a folder of its own under the job's outputs. A stage can run again after
/// it succeeded (a redelivered dispatch after a worker died before committing it, an attempt still going after its
/// lease moved on); with shared keys such a run overwrites the accepted outputs, and one killed mid-upload leaves a torn
/// object behind the record's SHA-256. With a folder per run nothing a run writes can touch another's; the record points
/// at the accepted run's objects, and what other runs left is deleted (see the job API's stale completions and its
/// leftover sweep).
/// </summary>
public static class RunKeys
{
    /// <summary>The folder holding every run's folder for the job whose outputs live at <paramref name="outputPrefix"/>.</summary>
    public static string RunsFolder(string outputPrefix) => $"{outputPrefix}/runs";

    /// <summary>A new run's folder name: the attempt it runs, and random letters (two runs of one attempt must differ).</summary>
    public static string NewRun(int attempt) => $"a{attempt}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    public static string OutputKey(string outputPrefix, string run, string name) => $"{RunsFolder(outputPrefix)}/{run}/{name}";

    /// <summary>Whether <paramref name="key"/> was written by some run of a stage of this job (and so may be a leftover).</summary>
    public static bool IsRunOutput(string outputPrefix, string key) => key.StartsWith(RunsFolder(outputPrefix) + "/", StringComparison.Ordinal);
}
