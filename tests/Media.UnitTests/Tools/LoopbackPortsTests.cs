using System.Net;
using System.Net.Sockets;
using Media.Pipelines.Tools;

namespace Media.UnitTests.Tools;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void Free_BelowTheEphemeralRange_NeverTwice_Bindable()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
        var ports = Enumerable.Range(0, 50).Select(_ => LoopbackPorts.Free()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        if (ephemeralStart > 20000)
        {
            Assert.All(ports, p => Assert.InRange(p, 20000, ephemeralStart - 1));
        }

        using var listener = new TcpListener(IPAddress.Loopback, ports[^1]);
        listener.Start();
        Assert.Equal(ports[^1], ((IPEndPoint)listener.LocalEndpoint).Port);
    }
}
