using System.Runtime.InteropServices;
using System.Text;
using Media.Platform.Bus.Kafka;

namespace Media.IntegrationTests.Bus;

/// <summary>
/// librdkafka's built-in mock cluster (3 brokers on loopback), hosted in the test process through its C API.
/// Clients connect over TCP exactly as to a real broker. Topics are created through the mock API
/// (AdminClient.CreateTopics times out against the mock). Limits: transactions are not enforced and each
/// partition keeps only a few MiB, so tests keep volumes small.
/// </summary>
public sealed class KafkaMockCluster : IAsyncLifetime
{
    private const int ErrorBufferSize = 512;
    private IntPtr _library;
    private IntPtr _handle;
    private IntPtr _cluster;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr ConfNew();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr KafkaNew(int type, IntPtr conf, StringBuilder errstr, UIntPtr size);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr MockClusterNew(IntPtr rk, int brokers);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr MockBootstraps(IntPtr cluster);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MockTopicCreate(IntPtr cluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitions, int replication);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Destroy(IntPtr handle);

    public string BootstrapServers { get; private set; } = string.Empty;

    public Task InitializeAsync()
    {
        // The default librdkafka.so needs libsasl2.so.3, which Debian 12 lacks; the centos8 build has no such dependency.
        var path = Path.Combine(AppContext.BaseDirectory, "centos8-librdkafka.so");
        if (!File.Exists(path))
        {
            path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "centos8-librdkafka.so");
        }

        _library = NativeLibrary.Load(path);
        var conf = Get<ConfNew>("rd_kafka_conf_new")();
        var error = new StringBuilder(ErrorBufferSize);
        _handle = Get<KafkaNew>("rd_kafka_new")(0, conf, error, (UIntPtr)ErrorBufferSize);
        Assert.True(_handle != IntPtr.Zero, "rd_kafka_new failed: " + error);
        _cluster = Get<MockClusterNew>("rd_kafka_mock_cluster_new")(_handle, 3);
        Assert.True(_cluster != IntPtr.Zero, "rd_kafka_mock_cluster_new failed");
        BootstrapServers = Marshal.PtrToStringUTF8(Get<MockBootstraps>("rd_kafka_mock_cluster_bootstraps")(_cluster))!;
        foreach (var topic in KafkaTopicsInitializer.AllTopics)
        {
            CreateTopic(topic, 3);
        }

        return Task.CompletedTask;
    }

    public void CreateTopic(string topic, int partitions)
    {
        var result = Get<MockTopicCreate>("rd_kafka_mock_topic_create")(_cluster, topic, partitions, 1);
        Assert.True(result == 0, $"rd_kafka_mock_topic_create({topic}) returned {result}");
    }

    public Task DisposeAsync()
    {
        if (_cluster != IntPtr.Zero)
        {
            Get<Destroy>("rd_kafka_mock_cluster_destroy")(_cluster);
        }

        if (_handle != IntPtr.Zero)
        {
            Get<Destroy>("rd_kafka_destroy")(_handle);
        }

        return Task.CompletedTask;
    }

    private T Get<T>(string name)
        where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(_library, name));
}

[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaMockCluster>
{
    public const string Name = "kafka";
}
