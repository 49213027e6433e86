using System.Net;
using System.Net.Sockets;

namespace Media.Pipelines.Tools;

/// <summary>Loopback ports for servers started as child processes (the benches' farms, the tests' PostgreSQL and s3rver).</summary>
public static class LoopbackPorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port below the kernel's ephemeral range, free now. Port 0 would give one from that range, where every outgoing
    /// connection on the machine also takes its local port: between the pick and the child process binding it (seconds of
    /// start-up), or before a killed process is restarted on it, another connection may hold it (a parallel test run
    /// failed with "address already in use").
    /// </summary>
    public static int Free()
    {
        var below = EphemeralStart();
        for (var attempt = 0; below > 20000 && attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, below);
            lock (Given)
            {
                if (!Given.Add(port))
                {
                    continue;
                }
            }

            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken by a server of something else: try another.
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int EphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768; // Linux's default
        }
    }
}
