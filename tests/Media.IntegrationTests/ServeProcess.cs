using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Media.IntegrationTests;

/// <summary>`media serve` as a real separate process on a free loopback port; can be killed hard and restarted.</summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(string dataDirectory, IReadOnlyDictionary<string, string>? environment, string command)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { MediaDll(), command, "--port", "0", "--http-port", "0", "--data", dataDirectory, "--workers", command == "worker" ? "1" : "2" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Address { get; private set; } = string.Empty;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The process id (worker ids end with it).</summary>
    public int ProcessId => _process.Id;

    public static async Task<ServeProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? environment = null, string command = "serve")
    {
        var serve = new ServeProcess(dataDirectory, environment, command);
        try
        {
            serve.Address = await serve._address.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await serve.DisposeAsync();
            throw new InvalidOperationException($"media {command} did not start within 60 s:\n" + serve.Log);
        }

        return serve;
    }

    /// <summary>SIGKILL: no shutdown hooks, exactly like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        var match = ListeningRegex().Match(line);
        if (match.Success)
        {
            _address.TrySetResult(match.Groups[1].Value);
        }
    }

    /// <summary>The CLI built next to this test run (same configuration).</summary>
    public static string MediaDll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(RepositoryPaths.Root(), "cli", "Media.Cli", "bin", configuration, "net10.0", "linux-x64", "media.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the CLI first.", dll);
    }

    [GeneratedRegex(@"Media Farm \w+ listening on (\S+)")]
    private static partial Regex ListeningRegex();
}
