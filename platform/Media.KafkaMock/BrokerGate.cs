using System.Net;
using System.Net.Sockets;

namespace Media.KafkaMock;

/// <summary>
/// A loopback TCP forwarder in front of one mock broker, advertised in the broker's place, that can stage an
/// outage: closed, it drops every connection it carries and closes each new one as soon as it is accepted.
/// Why not librdkafka's own rd_kafka_mock_broker_set_down: it closes the broker's listening socket and binds the
/// same port again, and when another socket took that loopback port in between, an assertion aborts the whole
/// process (a test host crashed this way in CI). The gate's own listener never closes until it is disposed.
/// </summary>
internal sealed class BrokerGate : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _broker;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Socket> _carried = [];
    private bool _open = true;

    public BrokerGate(IPEndPoint broker)
    {
        _broker = broker;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync();
    }

    public int Port { get; }

    public void SetOpen(bool open)
    {
        List<Socket> drop;
        lock (_lock)
        {
            _open = open;
            drop = open ? [] : [.. _carried];
            if (!open)
            {
                _carried.Clear();
            }
        }

        foreach (var socket in drop)
        {
            Drop(socket);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        SetOpen(false);
        _stop.Dispose();
    }

    private static void Drop(Socket socket)
    {
        try
        {
            // Linger 0: the peer sees a reset at once, as when a broker process dies.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = CarryAsync(client);
        }
    }

    private async Task CarryAsync(Socket client)
    {
        var broker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        if (!Admit(client, broker))
        {
            return;
        }

        try
        {
            await broker.ConnectAsync(_broker, _stop.Token);
            using var fromClient = new NetworkStream(client, ownsSocket: false);
            using var fromBroker = new NetworkStream(broker, ownsSocket: false);
            // Either direction ending (a peer closed, or the gate dropped both) ends the pair.
            await Task.WhenAny(PumpAsync(fromClient, fromBroker), PumpAsync(fromBroker, fromClient));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _carried.Remove(client);
                _carried.Remove(broker);
            }

            Drop(client);
            Drop(broker);
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The other direction, or the gate, ends the pair.
        }
    }

    /// <summary>Registers the pair while open; a gate that is closed drops the new connection at once.</summary>
    private bool Admit(Socket client, Socket broker)
    {
        lock (_lock)
        {
            if (_open && !_stop.IsCancellationRequested)
            {
                _carried.Add(client);
                _carried.Add(broker);
                return true;
            }
        }

        Drop(client);
        broker.Dispose();
        return false;
    }
}
