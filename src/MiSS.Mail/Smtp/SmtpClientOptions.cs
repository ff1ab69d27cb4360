namespace MiSS.Mail.Smtp;

/// <summary>Timeouts and identity of an <see cref="SmtpClient"/>.</summary>
public sealed class SmtpClientOptions
{
    /// <summary>Bound for each command's reply (restarted while bytes keep arriving).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Bound for writing the message data and for the reply after it (RFC 5321 suggests 10 min).</summary>
    public TimeSpan DataTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Bound for the TCP connection attempt.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Name sent in EHLO/HELO. Defaults to "localhost" rather than the machine name, which would otherwise end up
    /// in the Received header of every message.
    /// </summary>
    public string LocalDomain { get; init; } = "localhost";
}
