using Media.Pipelines.Tools;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Media.IntegrationTests.Storage;

/// <summary>s3rver (npm, installed by scripts/setup.sh into .tools/) on a free loopback port with a "media" bucket.</summary>
public sealed class S3Server : IAsyncLifetime
{
    public const string Bucket = "media";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "media-s3-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public string ServiceUrl { get; private set; } = string.Empty;

    /// <summary>The farm configuration (Media:Storage=s3) pointing at this server, under a key prefix.</summary>
    public Dictionary<string, string?> FarmConfiguration(string prefix = "") => new()
    {
        ["Media:Storage"] = "s3",
        ["Media:Storage:S3:Bucket"] = Bucket,
        ["Media:Storage:S3:Prefix"] = prefix,
        ["Media:Storage:S3:ServiceUrl"] = ServiceUrl,
        ["Media:Storage:S3:ForcePathStyle"] = "true",
        ["Media:Storage:S3:AccessKey"] = AccessKey,
        ["Media:Storage:S3:SecretKey"] = SecretKey,
    };

    private int _port;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _port = LoopbackPorts.Free();
        ServiceUrl = $"http://127.0.0.1:{_port}";
        await StartAsync();
    }

    /// <summary>Stops the server (an outage); <see cref="StartAsync"/> brings it back on the same port and data.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
        }
    }

    public async Task StartAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root(), ".tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        Assert.True(File.Exists(script), $"s3rver is not installed at {script}; run scripts/setup.sh.");
        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, "--directory", _directory, "--address", "127.0.0.1", "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(argument);
        }

        // Paged ListObjectsV2 needs the legacy OpenSSL provider on current Node.
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, _port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail("s3rver did not start listening within 10 s.");
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

}

[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Server>
{
    public const string Name = "s3";
}
