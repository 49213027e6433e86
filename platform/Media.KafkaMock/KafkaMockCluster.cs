using System.Runtime.InteropServices;
using System.Text;

namespace Media.KafkaMock;

/// <summary>
/// librdkafka's built-in mock cluster (in-memory brokers on loopback), hosted in this process through its C API.
/// Clients connect over TCP exactly as to a real broker. For tests and benchmarks only: it does not enforce
/// transactions and keeps only a few MiB per partition. Topics must be created here (AdminClient.CreateTopics
/// times out against the mock).
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    private const int ErrorBufferSize = 512;
    private readonly IntPtr _library;
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;

    public KafkaMockCluster(int brokers = 3)
    {
        Brokers = brokers;
        // The default librdkafka.so needs libsasl2.so.3, which Debian 12 lacks; the centos8 build does not.
        var path = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "centos8-librdkafka.so"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "centos8-librdkafka.so"),
        }.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException("centos8-librdkafka.so (from the librdkafka.redist package) was not found next to the program.");
        _library = NativeLibrary.Load(path);
        var conf = Get<ConfNew>("rd_kafka_conf_new")();
        var error = new StringBuilder(ErrorBufferSize);
        _handle = Get<KafkaNew>("rd_kafka_new")(0, conf, error, (UIntPtr)ErrorBufferSize);
        if (_handle == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + error);
        }

        _cluster = Get<MockClusterNew>("rd_kafka_mock_cluster_new")(_handle, brokers);
        if (_cluster == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(Get<MockBootstraps>("rd_kafka_mock_cluster_bootstraps")(_cluster))!;
    }

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

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MockBrokerSet(IntPtr cluster, int brokerId);

    public string BootstrapServers { get; }

    public int Brokers { get; }

    /// <summary>
    /// Takes every broker down (connections closed, new ones refused) or brings them back: a Kafka outage
    /// as clients see it.
    /// </summary>
    public void SetAvailable(bool available)
    {
        var set = Get<MockBrokerSet>(available ? "rd_kafka_mock_broker_set_up" : "rd_kafka_mock_broker_set_down");
        for (var broker = 1; broker <= Brokers; broker++)
        {
            var result = set(_cluster, broker);
            if (result != 0)
            {
                throw new InvalidOperationException($"Setting mock broker {broker} {(available ? "up" : "down")} returned {result}.");
            }
        }
    }

    /// <summary>Creates a topic (the farm's own topics: <see cref="KafkaTopicsInitializer.AllTopics"/>).</summary>
    public void CreateTopic(string topic, int partitions)
    {
        var result = Get<MockTopicCreate>("rd_kafka_mock_topic_create")(_cluster, topic, partitions, 1);
        if (result != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_topic_create({topic}) returned {result}.");
        }
    }

    public void Dispose()
    {
        Get<Destroy>("rd_kafka_mock_cluster_destroy")(_cluster);
        Get<Destroy>("rd_kafka_destroy")(_handle);
    }

    private T Get<T>(string name)
        where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(_library, name));
}
