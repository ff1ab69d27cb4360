namespace MiSS.Core;

/// <summary>
/// Wakes a background loop as soon as something in this process gives it work; other processes' changes are seen by
/// the loop's own polling. Several signals before the loop wakes count as one.
/// </summary>
public class WakeSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Says that there is something new.</summary>
    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up is enough.
        }
    }

    /// <summary>Waits for a signal or the timeout, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
