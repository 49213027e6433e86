using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using Media.Cli.Client;
using Media.Client;
using Media.Cli.Hosting;
using Media.Platform.Bus;
using Media.Platform.Bus.Kafka;
using Media.KafkaMock;
using Media.Platform.Storage;
using Media.Protos.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Media.Bench;

/// <summary>
/// `media bench-transport`: the embedded bus against Kafka in the same script (bus throughput and round-trip
/// latency, then submit-to-start latency through the whole farm), and, given an S3 endpoint, the blob store's
/// upload/download speed against the raw SDK calls. Without --kafka it starts librdkafka's mock cluster in
/// this process (loopback TCP; numbers from a real cluster will differ).
/// </summary>
internal static class TransportBenchCommand
{
    public static Command Create()
    {
        var kafka = new Option<string?>("--kafka") { Description = "Kafka bootstrap servers (default: an in-process mock cluster)" };
        var messages = new Option<int>("--messages") { Description = "Messages for the throughput run", DefaultValueFactory = _ => 5000 };
        var jobs = new Option<int>("--jobs") { Description = "Tiny jobs per transport for submit-to-start latency", DefaultValueFactory = _ => 100 };
        var s3Url = new Option<string?>("--s3-url") { Description = "S3-compatible endpoint for the storage run (e.g. MinIO or s3rver); skipped when absent" };
        var s3Bucket = new Option<string>("--s3-bucket") { DefaultValueFactory = _ => "media" };
        var s3Key = new Option<string>("--s3-access-key") { DefaultValueFactory = _ => "S3RVER" };
        var s3Secret = new Option<string>("--s3-secret-key") { DefaultValueFactory = _ => "S3RVER" };
        var command = new Command("bench-transport", "Benchmark the in-process bus vs Kafka, and the S3 blob store vs the raw SDK") { kafka, messages, jobs, s3Url, s3Bucket, s3Key, s3Secret };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var mock = parse.GetValue(kafka) is null ? new KafkaMockCluster(3) : null;
            var bootstrap = parse.GetValue(kafka) ?? mock!.BootstrapServers;
            if (mock is not null)
            {
                foreach (var topic in KafkaTopicsInitializer.AllTopics.Append("bench.bus"))
                {
                    mock.CreateTopic(topic, 3);
                }
            }

            Console.WriteLine($"# Bus: {parse.GetValue(messages)} messages of 400 bytes, one consumer acknowledging each; then 200 sequential round trips (Kafka: {(mock is null ? bootstrap : "librdkafka mock cluster, 3 brokers, loopback")})");
            await BusAsync("in-process", new InProcessBus(), parse.GetValue(messages), cancellationToken);
            using (var kafkaBus = new KafkaBus(Options.Create(new KafkaBusOptions { BootstrapServers = bootstrap, CreateTopics = false, BufferPerTopic = 500 }), NullLoggerFactory.Instance))
            {
                await BusAsync("kafka", kafkaBus, parse.GetValue(messages), cancellationToken);
            }

            Console.WriteLine($"# Farm: submit-to-start latency, {parse.GetValue(jobs)} tiny jobs one at a time, same machine, SQLite store, folder storage");
            await FarmAsync("in-process", new Dictionary<string, string?>(), parse.GetValue(jobs), cancellationToken);
            await FarmAsync("kafka", new Dictionary<string, string?> { ["Media:Bus"] = "kafka", ["Media:Kafka:BootstrapServers"] = bootstrap, ["Media:Kafka:CreateTopics"] = (mock is null).ToString() }, parse.GetValue(jobs), cancellationToken);

            if (parse.GetValue(s3Url) is { } url)
            {
                await StorageAsync(url, parse.GetValue(s3Bucket)!, parse.GetValue(s3Key)!, parse.GetValue(s3Secret)!, cancellationToken);
            }

            return 0;
        });
        return command;
    }

    private static async Task BusAsync(string name, IMessageBus bus, int count, CancellationToken cancellationToken)
    {
        var topic = name == "kafka" ? "bench.bus" : "bench.bus." + Guid.NewGuid().ToString("N");
        var payload = new byte[400];
        await using var subscription = bus.Subscribe("bench-" + Guid.NewGuid().ToString("N"), [new TopicWeight(topic)]);

        // Warm-up: the first Kafka delivery includes the group join.
        await bus.PublishAsync(new BusMessage(topic, "warm", payload), cancellationToken);
        await (await subscription.ReceiveAsync(cancellationToken)).AcknowledgeAsync();

        var started = Stopwatch.GetTimestamp();
        // Publishers in flight together, as when many API calls dispatch at once (one awaited publish at a time
        // would measure the broker's acknowledgement latency, not its throughput).
        var publishing = Task.WhenAll(Enumerable.Range(0, 16).Select(p => Task.Run(
            async () =>
            {
                for (var i = p; i < count; i += 16)
                {
                    await bus.PublishAsync(new BusMessage(topic, "k" + p.ToString(CultureInfo.InvariantCulture), payload), cancellationToken);
                }
            },
            cancellationToken)));
        for (var i = 0; i < count; i++)
        {
            await (await subscription.ReceiveAsync(cancellationToken)).AcknowledgeAsync();
        }

        await publishing;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        var latencies = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            await bus.PublishAsync(new BusMessage(topic, "rt", payload), cancellationToken);
            await (await subscription.ReceiveAsync(cancellationToken)).AcknowledgeAsync();
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        }

        Console.WriteLine(Invariant($"{name,-10} throughput {count / seconds,10:0} msg/s (16 publishers)   round trip p50 {Percentiles.Of(latencies, 50),7:0.00} ms  p99 {Percentiles.Of(latencies, 99),7:0.00} ms"));
    }

    private static async Task FarmAsync(string name, Dictionary<string, string?> overrides, int jobs, CancellationToken cancellationToken)
    {
        var data = Path.Combine(Path.GetTempPath(), "media-bench-transport-" + Guid.NewGuid().ToString("N"));
        var app = FarmHost.Build(new FarmHost.Settings(data, "127.0.0.1", 0, 2, LogLevel.Warning) { Overrides = overrides });
        await app.StartAsync(cancellationToken);
        try
        {
            using var client = new FarmClient(FarmHost.Address(app));
            var (clientSide, serverSide) = await BenchCommand.MeasureDispatchLatencyAsync(client, jobs, data, cancellationToken);
            Console.WriteLine(Invariant($"{name,-10} submit -> stage RUNNING (client) p50 {Percentiles.Of(clientSide, 50),7:0.0} ms  p99 {Percentiles.Of(clientSide, 99),7:0.0} ms   created -> started (server) p50 {Percentiles.Of(serverSide, 50),7:0.0} ms  p99 {Percentiles.Of(serverSide, 99),7:0.0} ms"));
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task StorageAsync(string url, string bucket, string accessKey, string secretKey, CancellationToken cancellationToken)
    {
        const int size = 64 * 1024 * 1024;
        var bytes = new byte[size];
        new Random(7).NextBytes(bytes);
        var prefix = $"bench-{Guid.NewGuid():N}/";
        using var store = new S3BlobStore(
            Options.Create(new S3BlobStoreOptions { Bucket = bucket, Prefix = prefix, ServiceUrl = url, ForcePathStyle = true, AccessKey = accessKey, SecretKey = secretKey }),
            TimeProvider.System);
        using var raw = new AmazonS3Client(accessKey, secretKey, new AmazonS3Config
        {
            ServiceURL = url,
            ForcePathStyle = true,
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        });

        Console.WriteLine("# Storage: 64 MiB object, the blob store (streamed multipart + SHA-256 + metadata) vs one raw SDK PutObject/GetObject");
        var storePut = await TimeAsync(() => store.PutAsync("object.bin", new MemoryStream(bytes, writable: false), "application/octet-stream", cancellationToken));
        var rawPut = await TimeAsync(() => raw.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = prefix + "raw.bin", InputStream = new MemoryStream(bytes, writable: false), UseChunkEncoding = false }, cancellationToken));
        var storeGet = await TimeAsync(async () =>
        {
            await using var stream = await store.OpenReadAsync("object.bin", cancellationToken);
            await stream.CopyToAsync(Stream.Null, cancellationToken);
        });
        var rawGet = await TimeAsync(async () =>
        {
            using var response = await raw.GetObjectAsync(bucket, prefix + "raw.bin", cancellationToken);
            await response.ResponseStream.CopyToAsync(Stream.Null, cancellationToken);
        });
        const double megabytes = size / 1024.0 / 1024.0;
        Console.WriteLine(Invariant($"upload   blob store {megabytes / storePut,7:0.0} MB/s   raw SDK {megabytes / rawPut,7:0.0} MB/s   overhead ratio {storePut / rawPut:0.00}x"));
        Console.WriteLine(Invariant($"download blob store {megabytes / storeGet,7:0.0} MB/s   raw SDK {megabytes / rawGet,7:0.0} MB/s   overhead ratio {storeGet / rawGet:0.00}x"));
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
