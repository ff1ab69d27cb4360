namespace MiSS.Mail.Smtp;

/// <summary>What the server answered to one RCPT TO.</summary>
/// <param name="Address">The recipient address as given.</param>
/// <param name="Accepted">True for a 2xx reply.</param>
/// <param name="StatusCode">Three-digit reply code.</param>
/// <param name="Response">Reply text (including an enhanced status code if sent).</param>
public sealed record SmtpRecipientResult(string Address, bool Accepted, int StatusCode, string Response);

/// <summary>Outcome of a successful send: per-recipient results and the server's final reply to the data.</summary>
/// <param name="Recipients">One result per recipient, in the order given.</param>
/// <param name="QueuedResponse">Reply text after the data, typically containing the queue id.</param>
public sealed record SmtpSendResult(IReadOnlyList<SmtpRecipientResult> Recipients, string QueuedResponse);
