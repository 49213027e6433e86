using System.Globalization;
using Media.Protos.V1;

namespace Media.Cli.Client;

/// <summary>Human-readable job summaries for the terminal.</summary>
public static class JobPrinter
{
    public static void Print(Job job, TextWriter writer)
    {
        writer.WriteLine($"job {job.Id}  {job.State}  pattern={job.PatternName}  progress={job.Progress * 100:0}%");
        foreach (var stage in job.Stages)
        {
            writer.WriteLine($"  stage {stage.Id}  {stage.Kind}  {stage.State}  attempt={stage.Attempt}  progress={stage.Progress * 100:0}%");
        }

        foreach (var output in job.Outputs)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  output {output.Name}  {output.Width}x{output.Height}  {output.DurationSeconds:0.###}s  {output.VideoCodec}/{output.AudioCodec}  {output.SizeBytes} bytes  sha256={output.Sha256}"));
        }

        if (job.Error is { } error)
        {
            writer.WriteLine($"  error {error.Code}: {error.Message}");
            if (job.DeadLettered)
            {
                writer.WriteLine($"  dead-lettered after its last retry; once the cause is fixed: media jobs retry {job.Id}");
            }
            if (error.ToolStderrTail.Length > 0)
            {
                writer.WriteLine("  tool output (last lines):");
                foreach (var line in error.ToolStderrTail.Split('\n'))
                {
                    writer.WriteLine("    " + line);
                }
            }
        }
    }
}
