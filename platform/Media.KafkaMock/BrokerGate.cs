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
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        // The token source is not disposed: pending copies may still read its token.
        _stop.Cancel();
        _listener.Stop();
        SetOpen(false);
    }

    /// <summary>Linger 0: the peer sees a reset at once, as when a broker process dies.</summary>
    private static void Drop(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    /// <summary>A pair that ended by itself (a peer closed): closed in order, so bytes in flight still arrive.</summary>
    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
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
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (!_stop.IsCancellationRequested)
            {
                // One failed accept (a client gone before it was taken) must not close the gate for good.
                continue;
            }
            catch (SocketException)
            {
                return;
            }

            _ = CarryAsync(client);
        }
    }

    private async Task CarryAsync(Socket client)
    {
        var broker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (!Admit(client, broker))
        {
            return;
        }

        try
        {
            client.NoDelay = true;
            broker.NoDelay = true;
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
            bool mine;
            lock (_lock)
            {
                // Still registered: the pair ended by itself. Not registered: the gate closed and dropped it already.
                mine = _carried.Remove(client) | _carried.Remove(broker);
            }

            if (mine)
            {
                Close(client);
                Close(broker);
            }
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
