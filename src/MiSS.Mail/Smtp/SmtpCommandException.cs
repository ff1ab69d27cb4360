using MiSS.Mail;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Smtp;

/// <summary>The SMTP server refused a command (4xx transient, 5xx permanent).</summary>
public sealed class SmtpCommandException : MailException
{
    /// <summary>Creates the exception from the refused command and the server's reply.</summary>
    /// <param name="command">The verb only (MAIL, RCPT, DATA, AUTH, ...), never arguments or credentials.</param>
    /// <param name="statusCode">Three-digit reply code.</param>
    /// <param name="enhancedStatusCode">RFC 3463 code when the server sent one.</param>
    /// <param name="serverText">The reply text.</param>
    /// <param name="recipients">Per-recipient results, when the refusal concerns the recipients.</param>
    public SmtpCommandException(
        string command, int statusCode, string? enhancedStatusCode, string serverText,
        IReadOnlyList<SmtpRecipientResult>? recipients = null)
        : this(command, statusCode, enhancedStatusCode, serverText, recipients, null)
    {
    }

    private SmtpCommandException(
        string command, int statusCode, string? enhancedStatusCode, string serverText,
        IReadOnlyList<SmtpRecipientResult>? recipients, string? summary)
        : base(summary ?? Describe(command, statusCode, enhancedStatusCode, serverText))
    {
        Command = command;
        StatusCode = statusCode;
        EnhancedStatusCode = enhancedStatusCode;
        ServerText = serverText;
        Recipients = recipients ?? [];
    }

    /// <summary>Three-digit SMTP reply code.</summary>
    public int StatusCode { get; }

    /// <summary>RFC 3463 enhanced status code ("5.1.1") if the server sent one.</summary>
    public string? EnhancedStatusCode { get; }

    /// <summary>The server's reply text.</summary>
    public string ServerText { get; }

    /// <summary>The refused command's verb; never its arguments or any credential.</summary>
    public string Command { get; }

    /// <summary>Per-recipient results when every recipient was refused; empty otherwise.</summary>
    public IReadOnlyList<SmtpRecipientResult> Recipients { get; }

    /// <summary>True for 4xx replies: trying again later may succeed.</summary>
    public bool IsTransient => StatusCode is >= 400 and < 500;

    internal static SmtpCommandException FromReply(string command, SmtpReply reply) =>
        new(command, reply.Code, reply.EnhancedCode, reply.Text);

    internal static SmtpCommandException AllRecipientsRefused(IReadOnlyList<SmtpRecipientResult> recipients)
    {
        var first = recipients[0];
        var enhanced = SmtpReplyReader.ParseEnhancedCode(first.StatusCode, first.Response);
        var text = enhanced is null ? first.Response : first.Response[enhanced.Length..].TrimStart();
        var summary = $"SMTP RCPT: all {recipients.Count} recipient(s) were refused; first refusal: {Describe(null, first.StatusCode, enhanced, text)}";
        return new SmtpCommandException("RCPT", first.StatusCode, enhanced, text, recipients, summary);
    }

    private static string Describe(string? command, int statusCode, string? enhanced, string text)
    {
        var prefix = command is null ? string.Empty : $"SMTP {command} refused: ";
        return enhanced is null ? $"{prefix}{statusCode} {text}" : $"{prefix}{statusCode} {enhanced} {text}";
    }
}
