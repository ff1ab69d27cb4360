namespace MiSS.Core.Incoming;

/// <summary>What the inbox watcher is doing now: for the status command, the API, and tests that must send while it idles.</summary>
public sealed class InboxStatus
{
    volatile bool _idle;
    volatile bool _connected;
    volatile string? _lastError;

    /// <summary>True while logged in and the mailbox selected.</summary>
    public bool IsConnected => _connected;

    /// <summary>True while waiting in IMAP IDLE for the server to announce new mail.</summary>
    public bool IsIdle => _idle;

    /// <summary>The last connection error, cleared on reconnection.</summary>
    public string? LastError => _lastError;

    internal void Connected()
    {
        _connected = true;
        _lastError = null;
    }

    internal void Idle(bool idle) => _idle = idle;

    internal void Disconnected(string error)
    {
        _connected = false;
        _idle = false;
        _lastError = error;
    }
}
