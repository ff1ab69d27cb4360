namespace MiSS.Core.Outgoing;

/// <summary>Wakes the outbox sender as soon as something is queued in this process (others are seen by polling).</summary>
public sealed class OutboxSignal : WakeSignal;
