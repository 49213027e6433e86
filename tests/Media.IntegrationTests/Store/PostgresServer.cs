using Media.Pipelines.Tools;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Media.IntegrationTests.Store;

/// <summary>
/// A throwaway PostgreSQL cluster from Debian's server package: initdb into a temp folder, started on a free
/// loopback port, removed afterwards. initdb refuses to run as root, so as root it runs as the postgres user.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "media-pg-" + Guid.NewGuid().ToString("N"));
    private string _bin = string.Empty;
    private int _port;

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = _port, Username = "postgres", Database = database, Pooling = true }.ToString();

    public async Task<string> CreateDatabaseAsync()
    {
        var name = "media_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    public async Task InitializeAsync()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending(StringComparer.Ordinal).FirstOrDefault() ?? string.Empty
            : string.Empty;
        Assert.True(_bin.Length > 0, "PostgreSQL server binaries not found under /usr/lib/postgresql; install Debian's postgresql package (scripts/setup.sh does).");
        _port = LoopbackPorts.Free();
        Directory.CreateDirectory(_directory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", _directory]);
        }

        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", Path.Combine(_directory, "data"), "-A", "trust", "-U", "postgres", "--no-sync"], asRoot);
        await RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", Path.Combine(_directory, "data"), "-o", $"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off", "-l", Path.Combine(_directory, "log"), "-w", "start"],
            asRoot);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_bin.Length > 0 && Directory.Exists(Path.Combine(_directory, "data")))
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"], Environment.UserName == "root", check: false);
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static async Task RunAsync(string tool, IReadOnlyList<string> arguments, bool asPostgres = false, bool check = true)
    {
        var (program, all) = asPostgres ? ("runuser", (IReadOnlyList<string>)["-u", "postgres", "--", tool, .. arguments]) : (tool, arguments);
        var result = await TestMedia.RunAsync(program, all);
        if (check)
        {
            Assert.True(result.ExitCode == 0, $"{tool} failed ({result.ExitCode}): {result.Stdout}\n{result.Stderr}");
        }
    }

}
