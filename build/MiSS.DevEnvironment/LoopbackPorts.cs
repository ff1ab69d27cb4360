using System.Net;
using System.Net.Sockets;

namespace MiSS.DevEnvironment;

/// <summary>Ports for the local mail server and for services started as processes of their own, which must know theirs in advance.</summary>
public static class LoopbackPorts
{
    /// <summary>A loopback port free now (the system picks it; it stays free unless someone else takes it first).</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
