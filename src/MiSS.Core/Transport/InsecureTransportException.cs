namespace MiSS.Core.Transport;

/// <summary>Credentials were about to be sent on a connection without TLS: refused before anything left.</summary>
public sealed class InsecureTransportException(string message) : Exception(message);
