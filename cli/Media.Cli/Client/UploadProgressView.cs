using Media.Client;
using Media.Protos.V1;
using Spectre.Console;

namespace Media.Cli.Client;

/// <summary>Shows an upload's progress: a bar with speed and time left on a terminal, a line per tenth when piped.</summary>
public static class UploadProgressView
{
    public static async Task<UploadResponse> UploadAsync(FarmClient client, string path, CancellationToken cancellationToken, TextWriter? plain = null)
    {
        var name = Path.GetFileName(path);
        if (plain is not null || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            var output = plain ?? Console.Out;
            var gate = new Lock();
            var lastTenth = -1;
            return await client.UploadFileAsync(path, (sent, total) =>
            {
                var tenth = total > 0 ? (int)(sent * 10 / total) : 10;
                lock (gate)
                {
                    if (tenth > lastTenth)
                    {
                        lastTenth = tenth;
                        output.WriteLine($"  upload {name}: {tenth * 10}% ({sent:N0} of {total:N0} bytes)");
                    }
                }
            }, cancellationToken);
        }

        UploadResponse? result = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"upload {Markup.Escape(name)}", maxValue: Math.Max(1, new FileInfo(path).Length));
                result = await client.UploadFileAsync(path, (sent, total) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = sent;
                }, cancellationToken);
                task.Value = task.MaxValue;
            });
        return result!;
    }
}
