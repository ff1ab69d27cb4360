namespace MiSS.Mail.Imap;

/// <summary>State of a mailbox as reported when it was selected.</summary>
/// <param name="Name">The mailbox name as given by the caller.</param>
/// <param name="UidValidity">UIDVALIDITY; 0 if the server did not send one. A change invalidates all stored UIDs.</param>
/// <param name="UidNext">Predicted next UID; 0 if the server did not send one.</param>
/// <param name="Exists">Number of messages.</param>
public sealed record ImapMailbox(string Name, uint UidValidity, uint UidNext, int Exists);

/// <summary>How an IDLE ended.</summary>
/// <param name="Changed">True when the server reported new, expunged or changed messages.</param>
/// <param name="Exists">The message count last reported during the wait, or null when none was reported.</param>
public sealed record ImapIdleResult(bool Changed, int? Exists);
