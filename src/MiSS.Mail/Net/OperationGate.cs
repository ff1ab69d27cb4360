namespace MiSS.Mail.Net;

/// <summary>Detects overlapping calls on a client that runs one protocol conversation at a time.</summary>
internal sealed class OperationGate
{
    private int _busy;

    /// <summary>Marks an operation as running until the returned scope is disposed.</summary>
    public Scope Enter(string clientName)
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException($"{clientName} runs one operation at a time; another one is still in progress");
        }

        return new Scope(this);
    }

    /// <summary>Ends the operation when disposed.</summary>
    internal readonly struct Scope(OperationGate gate) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => Volatile.Write(ref gate._busy, 0);
    }
}
