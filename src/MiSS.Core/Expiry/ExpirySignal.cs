namespace MiSS.Core.Expiry;

/// <summary>Says that an expiry time changed in this process (a message sent or stored, a conversation ended): reschedule.</summary>
public sealed class ExpirySignal : WakeSignal;
