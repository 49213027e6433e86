using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Media.Bench.Chaos;

/// <summary>Waiting for the processes the bench starts to listen (their ports: <see cref="LoopbackPorts"/>).</summary>
internal static class Ports
{
    public static async Task WaitListeningAsync(int port, TimeSpan within, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"{what} did not listen on port {port} within {within.TotalSeconds:0} s.");
    }
}

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's server: initdb in a temp folder, a free port, fsync off); restartable, as
/// the chaos plan restarts it once. As root, the server runs as the postgres user (initdb refuses root).
/// </summary>
internal sealed class ThrowawayPostgres(string directory) : IAsyncDisposable
{
    private static readonly ToolRunner Tools = new(NullLogger<ToolRunner>.Instance, TimeProvider.System);
    private readonly int _port = LoopbackPorts.Free();
    private string _bin = string.Empty;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = _port, Username = "postgres", Database = database }.ToString();

    public async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending(StringComparer.Ordinal).FirstOrDefault() ?? string.Empty
            : string.Empty;
        if (_bin.Length == 0)
        {
            throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql; install Debian's postgresql package (scripts/setup.sh does).");
        }

        Directory.CreateDirectory(directory);
        if (Environment.UserName == "root")
        {
            await Tools.RunAsync("chown", ["postgres:postgres", directory], cancellationToken);
        }

        await RunAsync("initdb", ["-D", Data, "-A", "trust", "-U", "postgres", "--no-sync"], cancellationToken);
        await PgCtlAsync("start", cancellationToken);
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("CREATE DATABASE media", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return ConnectionString("media");
    }

    /// <summary>An immediate stop (no checkpoint, as a crash) and a start: every open connection is cut.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await RunAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"], cancellationToken);
        await PgCtlAsync("start", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_bin.Length > 0 && Directory.Exists(Data))
        {
            try
            {
                await RunAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
            catch (ToolFailedException)
            {
                // Already stopped.
            }
        }
    }

    private string Data => Path.Combine(directory, "data");

    private Task PgCtlAsync(string verb, CancellationToken cancellationToken) =>
        RunAsync("pg_ctl", ["-D", Data, "-o", $"-p {_port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "-l", Path.Combine(directory, "log"), "-w", verb], cancellationToken);

    private Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        Environment.UserName == "root"
            ? Tools.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments], cancellationToken)
            : Tools.RunAsync(Path.Combine(_bin, tool), arguments, cancellationToken);
}

/// <summary>s3rver (npm, installed by the setup) on a fixed port and folder; stopping it is a storage outage.</summary>
internal sealed class LocalS3(string directory) : IAsyncDisposable
{
    public const string Bucket = "media";
    public const string Key = "S3RVER";
    private readonly int _port = LoopbackPorts.Free();
    private Process? _process;

    public string ServiceUrl => $"http://127.0.0.1:{_port}";

    public async Task StartAsync()
    {
        var script = FindScript();
        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, "--directory", directory, "--address", "127.0.0.1", "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(argument);
        }

        // Paged ListObjectsV2 needs the legacy OpenSSL provider on current Node.
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        Directory.CreateDirectory(directory);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Ports.WaitListeningAsync(_port, TimeSpan.FromSeconds(15), "s3rver");
    }

    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, ".tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new FileNotFoundException("s3rver is not installed under .tools/s3rver; run scripts/setup.sh.");
    }
}

/// <summary>A webhook receiver on loopback: counts deliveries per job and event, answers 200.</summary>
internal sealed class WebhookCounter : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<(string Job, string Event), int> _counts = [];
    private readonly Task _loop;

    public WebhookCounter()
    {
        var port = LoopbackPorts.Free();
        Url = $"http://127.0.0.1:{port}/hook";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public int Count(string jobId, string eventName)
    {
        lock (_counts)
        {
            return _counts.GetValueOrDefault((jobId, eventName));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        await _loop;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var job = context.Request.Headers["Media-Delivery"] ?? string.Empty;
            var name = context.Request.Headers["Media-Event"] ?? string.Empty;
            lock (_counts)
            {
                _counts[(job, name)] = _counts.GetValueOrDefault((job, name)) + 1;
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
