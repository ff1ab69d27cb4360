namespace MiSS.Mail.Imap;

/// <summary>Timeouts and limits of an <see cref="ImapClient"/>.</summary>
public sealed class ImapClientOptions
{
    /// <summary>Bound for each server response (restarted while bytes keep arriving, so large fetches can finish).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Bound for the server's tagged OK after DONE ends an IDLE.</summary>
    public TimeSpan DoneTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound for the TCP connection attempt.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest literal (for example a fetched message) accepted from the server.</summary>
    public long MaxLiteralSize { get; init; } = 256L * 1024 * 1024;
}
