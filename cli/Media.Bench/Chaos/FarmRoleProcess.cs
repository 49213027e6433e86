using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Media.Bench.Chaos;

/// <summary>
/// One farm process (`media jobapi`, `media worker` or the whole `media serve`) that the chaos loop kills with SIGKILL and
/// starts again with the same data folder and gRPC port, so clients find a restarted API replica where it was. Optionally
/// confined to some cores (taskset), with everything it starts (ffmpeg), as a machine of that size would be.
/// </summary>
internal sealed partial class FarmRoleProcess : IAsyncDisposable
{
    private readonly string _role;
    private readonly string _data;
    private readonly int _port;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly int _slots;
    private readonly string? _cpus;
    private readonly StringBuilder _log = new();
    private Process? _process;
    private TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="slots">Stages a worker (or serve) runs at once.</param>
    /// <param name="cpus">A taskset CPU list ("0", "0-1") the process and its children are confined to; null: any.</param>
    public FarmRoleProcess(string name, string role, string data, int port, IReadOnlyDictionary<string, string> environment, int slots = 1, string? cpus = null)
    {
        (Name, _role, _data, _port, _environment, _slots, _cpus) = (name, role, data, port, environment, slots, cpus);
        Directory.CreateDirectory(data);
    }

    public string Name { get; }

    public string Role => _role;

    public string Address => $"http://127.0.0.1:{_port}";

    public bool Running => _process is { HasExited: false };

    public int Starts { get; private set; }

    /// <summary>Runs this worker stopped because the job no longer needed them (a StopRun from the job API).</summary>
    public int RunsStopped => _runsStopped;

    /// <summary>Objects this job API's retention sweeps deleted from ended jobs' run folders.</summary>
    public int LeftoversSwept => _leftoversSwept;

    private int _runsStopped;
    private int _leftoversSwept;

    public string LogTail
    {
        get
        {
            lock (_log)
            {
                var text = _log.ToString();
                return text.Length > 4000 ? text[^4000..] : text;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo(_cpus is null ? "dotnet" : "taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments = [.. _cpus is null ? [] : new[] { "-c", _cpus, "dotnet" }, MediaDll(), _role, "--host", "127.0.0.1", "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--http-port", "0", "--data", _data];
        foreach (var argument in _role is "worker" or "serve" ? [.. arguments, "--workers", _slots.ToString(System.Globalization.CultureInfo.InvariantCulture)] : arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        // Published only once started: the chaos loop reads Running from another thread, and an unstarted Process
        // throws on HasExited (a run of bench-chaos crashed on that race).
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Starts++;
        var ended = await Task.WhenAny(_ready.Task, process.WaitForExitAsync(cancellationToken), Task.Delay(TimeSpan.FromSeconds(90), cancellationToken));
        if (ended != _ready.Task && !process.HasExited)
        {
            throw new InvalidOperationException($"{Name} did not start within 90 s:\n{LogTail}");
        }

        // The line comes before the server binds its port: wait until it accepts connections too. A process killed while
        // it started (the chaos loop may pick it again) is restarted by that kill's own restart.
        while (!process.HasExited)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, _port, cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    /// <summary>The CLI built beside this program (the repository's Release build).</summary>
    public static string MediaDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "cli", "Media.Cli", "bin", "Release", "net10.0", "linux-x64", "media.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }

        throw new FileNotFoundException("cli/Media.Cli's Release build (media.dll) was not found above " + AppContext.BaseDirectory + "; run scripts/setup.sh.");
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            // Also on disk, beside the process's data, for a look while the soak runs.
            File.AppendAllText(Path.Combine(_data, "process.log"), line + "\n");
            _log.AppendLine(line);
            if (_log.Length > 64_000)
            {
                _log.Remove(0, _log.Length - 32_000);
            }
        }

        if (Listening().IsMatch(line))
        {
            _ready.TrySetResult(true);
        }

        if (line.Contains("the job no longer needs this run", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _runsStopped);
        }

        if (LeftoversLine().Match(line) is { Success: true } swept)
        {
            Interlocked.Add(ref _leftoversSwept, int.Parse(swept.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"Media Farm \w+ listening on ")]
    private static partial Regex Listening();

    // RetentionSweep's log line.
    [GeneratedRegex(@"and (\d+) objects runs left behind")]
    private static partial Regex LeftoversLine();
}
