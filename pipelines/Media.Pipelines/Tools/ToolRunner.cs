using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Media.Pipelines.Tools;

/// <summary>
/// Runs ffmpeg/ffprobe from an argument list. On cancellation ffmpeg is asked to stop with 'q' on stdin
/// (it finalises the file and exits), then killed with its process tree if it has not gone within the grace
/// period. Stdout lines are streamed to a callback (ffmpeg -progress) or captured (ffprobe JSON).
/// </summary>
public sealed class ToolRunner(ILogger<ToolRunner> logger, TimeProvider time)
{
    // A cancelled run's output is deleted anyway, so ffmpeg gets only a moment to stop on "q" (x264 at a slow
    // preset can take seconds to flush its lookahead) before it is killed: cancellation must land within 2 s
    // even on a loaded machine.
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(0.5);

    public async Task<ToolResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        CancellationToken cancellationToken,
        Action<string>? onStdoutLine = null,
        bool captureStdout = false,
        TimeSpan? gracePeriod = null,
        Func<Stream, Task>? readStdout = null)
    {
        // A pinned worker slot's tools run on its cores only (ToolCpus); taskset execs the tool, so the pid, stdin
        // ('q' to stop) and exit code are the tool's own.
        var cpus = ToolCpus.Current;
        var startInfo = new ProcessStartInfo(cpus is null ? fileName : "taskset")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in cpus is null ? arguments : ["-c", cpus, fileName, .. arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        var tool = Path.GetFileName(fileName);
        using var activity = ToolTelemetry.Source.StartActivity(tool, ActivityKind.Internal);
        activity?.SetTag("process.executable.name", tool).SetTag("process.args_count", arguments.Count);
        using var process = new Process { StartInfo = startInfo };
        var stderr = new StderrTail();
        var stdout = captureStdout ? new StringBuilder() : null;
        var started = time.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new ToolFailedException(tool, -1, $"could not start '{fileName}': {ex.Message}. Is it installed and on PATH?");
        }

        logger.LogDebug("Started {Tool} (pid {Pid}) with {ArgumentCount} arguments", tool, process.Id, arguments.Count);
        // Binary output (raw frames) goes to the reader as bytes; text output line by line.
        var stdoutPump = readStdout is not null ? readStdout(process.StandardOutput.BaseStream) : PumpAsync(process.StandardOutput, line =>
        {
            stdout?.AppendLine(line);
            onStdoutLine?.Invoke(line);
        });
        var stderrPump = PumpAsync(process.StandardError, stderr.Add);

        await using (cancellationToken.Register(() => _ = StopAsync(process, tool, gracePeriod ?? DefaultGracePeriod)))
        {
            await process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAll(stdoutPump, stderrPump);
        }

        var elapsed = time.GetElapsedTime(started);
        activity?.SetTag("process.exit.code", process.ExitCode);
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            activity?.SetStatus(ActivityStatusCode.Error, $"exit code {process.ExitCode}");
            // Under taskset, a tool that could not be started (not installed) or pinned (a core no longer allowed) is
            // taskset's failure, not the tool's verdict on its input: a start failure (-1, retryable elsewhere), as
            // without pinning, never "the source is not readable media".
            var tail = stderr.ToString();
            if (cpus is not null && tail.Contains("taskset: failed to", StringComparison.Ordinal))
            {
                throw new ToolFailedException(tool, -1, $"could not start '{fileName}' on cores {cpus}: {tail.Trim()}");
            }

            throw new ToolFailedException(tool, process.ExitCode, tail);
        }

        return new ToolResult(process.ExitCode, stdout?.ToString() ?? string.Empty, stderr.ToString(), elapsed);
    }

    private async Task StopAsync(Process process, string tool, TimeSpan grace)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            if (grace <= TimeSpan.Zero)
            {
                process.Kill(entireProcessTree: true);
                return;
            }

            await process.StandardInput.WriteAsync("q");
            await process.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                logger.LogInformation("{Tool} (pid {Pid}) did not stop within {Grace}; killing it", tool, process.Id, grace);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // stdin already closed or process gone: fall through to the kill.
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited in the meantime.
        }
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine(line);
        }
    }
}
