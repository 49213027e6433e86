using Media.Client;
using System.Globalization;
using Media.Protos.V1;
using Spectre.Console;

namespace Media.Cli.Client;

/// <summary>Shows a job's live progress: bars on a terminal, plain lines when output is piped (CI, scripts).</summary>
public static class JobProgressView
{
    /// <summary>Bars on an interactive terminal; plain lines otherwise, or always on <paramref name="plain"/> when given (stderr under --json).</summary>
    public static async Task<Job> FollowAsync(FarmClient client, string jobId, CancellationToken cancellationToken, TextWriter? plain = null)
    {
        var job = await FollowJobAsync(client, jobId, plain, cancellationToken);
        // Warnings go to stderr: the job succeeded, but a person should read them (e.g. captions heard with low confidence).
        foreach (var warning in job.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning.Code}: {warning.Message}");
        }

        return job;
    }

    private static async Task<Job> FollowJobAsync(FarmClient client, string jobId, TextWriter? plain, CancellationToken cancellationToken)
    {
        if (plain is not null || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await FollowPlainAsync(client, jobId, plain ?? Console.Out, cancellationToken);
        }

        Job? result = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var overall = context.AddTask($"job {jobId}", maxValue: 1);
                var stages = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                result = await client.WaitAsync(jobId, jobEvent =>
                {
                    switch (jobEvent.EventCase)
                    {
                        case JobEvent.EventOneofCase.Progress:
                            overall.Value = jobEvent.Progress.Progress;
                            if (stages.TryGetValue(jobEvent.Progress.StageId, out var stageTask))
                            {
                                stageTask.Value = jobEvent.Progress.StageProgress;
                                stageTask.Description = StageLabel(jobEvent.Progress.StageId, jobEvent.Progress.Speed);
                            }

                            break;
                        case JobEvent.EventOneofCase.StageChanged:
                            var changed = jobEvent.StageChanged;
                            if (!stages.TryGetValue(changed.StageId, out var task))
                            {
                                task = context.AddTask(StageLabel(changed.StageId, 0), maxValue: 1);
                                stages[changed.StageId] = task;
                            }

                            if (changed.State == StageState.Succeeded)
                            {
                                task.Value = 1;
                                task.StopTask();
                            }
                            else if (changed.State is StageState.Failed or StageState.Cancelled)
                            {
                                task.Description = $"{StageLabel(changed.StageId, 0)} [red]{changed.State}[/]";
                            }

                            break;
                        case JobEvent.EventOneofCase.StateChanged when FarmClient.IsTerminal(jobEvent.StateChanged.State):
                            overall.Value = jobEvent.StateChanged.State == JobState.Succeeded ? 1 : overall.Value;
                            overall.StopTask();
                            break;
                    }
                }, cancellationToken);
            });
        return result!;
    }

    private static async Task<Job> FollowPlainAsync(FarmClient client, string jobId, TextWriter output, CancellationToken cancellationToken)
    {
        var lastReported = -1;
        return await client.WaitAsync(jobId, jobEvent =>
        {
            switch (jobEvent.EventCase)
            {
                case JobEvent.EventOneofCase.StateChanged:
                    output.WriteLine($"job {jobId}: {jobEvent.StateChanged.State}");
                    break;
                case JobEvent.EventOneofCase.StageChanged:
                    var stage = jobEvent.StageChanged;
                    var error = stage.Error is { } e && e.Message.Length > 0 ? $" ({e.Code}: {e.Message})" : string.Empty;
                    output.WriteLine($"  stage {ShortStage(stage.StageId)} attempt {stage.Attempt}: {stage.State}{error}");
                    break;
                case JobEvent.EventOneofCase.Progress:
                    var percent = (int)(jobEvent.Progress.Progress * 100);
                    if (percent / 10 > lastReported / 10)
                    {
                        lastReported = percent;
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  progress {percent}% (speed {jobEvent.Progress.Speed:0.##}x)"));
                    }

                    break;
            }
        }, cancellationToken);
    }

    private static string StageLabel(string stageId, double speed) =>
        speed > 0 ? string.Create(CultureInfo.InvariantCulture, $"{ShortStage(stageId)} {speed:0.0}x") : ShortStage(stageId);

    private static string ShortStage(string stageId)
    {
        var dot = stageId.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? stageId : stageId[(dot + 1)..];
    }
}
