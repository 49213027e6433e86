using System.Net;
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
    private readonly List<BrokerGate> _gates = [];

    /// <param name="brokers">How many brokers (ids 1..brokers).</param>
    /// <param name="outages">
    /// Puts a <see cref="BrokerGate"/> in front of each broker so that <see cref="SetAvailable"/> can stage outages.
    /// Off, clients talk to the brokers directly (no forwarding cost, for the transport benchmarks).
    /// </param>
    public KafkaMockCluster(int brokers = 3, bool outages = false)
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
        if (outages)
        {
            try
            {
                BootstrapServers = PutGatesInFront(BootstrapServers);
            }
            catch
            {
                Dispose();
                throw;
            }
        }
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
    private delegate void MockBrokerSetHostPort(IntPtr cluster, int brokerId, [MarshalAs(UnmanagedType.LPUTF8Str)] string host, int port);

    public string BootstrapServers { get; }

    public int Brokers { get; }

    /// <summary>
    /// Takes every broker down (connections closed, new ones closed as soon as they are made) or brings them
    /// back: a Kafka outage as clients see it. Needs a cluster made with <c>outages: true</c>.
    /// </summary>
    public void SetAvailable(bool available)
    {
        if (_gates.Count == 0)
        {
            throw new InvalidOperationException("This mock cluster was made without outages: true, so it has no gates to close.");
        }

        foreach (var gate in _gates)
        {
            gate.SetOpen(available);
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
        foreach (var gate in _gates)
        {
            gate.Dispose();
        }

        Get<Destroy>("rd_kafka_mock_cluster_destroy")(_cluster);
        Get<Destroy>("rd_kafka_destroy")(_handle);
    }

    /// <summary>
    /// One gate per broker, advertised in the broker's metadata instead of the broker's own port, so that no client
    /// reaches a broker but through its gate. The bootstrap list is the brokers' in id order.
    /// </summary>
    private string PutGatesInFront(string bootstraps)
    {
        var setHostPort = Get<MockBrokerSetHostPort>("rd_kafka_mock_broker_set_host_port");
        var addresses = bootstraps.Split(',');
        if (addresses.Length != Brokers)
        {
            throw new InvalidOperationException($"The mock cluster listed {addresses.Length} brokers ({bootstraps}), not {Brokers}.");
        }

        for (var index = 0; index < addresses.Length; index++)
        {
            var gate = new BrokerGate(IPEndPoint.Parse(addresses[index]));
            _gates.Add(gate);
            setHostPort(_cluster, index + 1, IPAddress.Loopback.ToString(), gate.Port);
        }

        return string.Join(',', _gates.Select(gate => $"{IPAddress.Loopback}:{gate.Port}"));
    }

    private T Get<T>(string name)
        where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(_library, name));
}
