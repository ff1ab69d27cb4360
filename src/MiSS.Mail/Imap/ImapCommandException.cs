using MiSS.Mail;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Imap;

/// <summary>The IMAP server answered a command with NO (refused) or BAD (not understood).</summary>
public sealed class ImapCommandException : MailException
{
    /// <summary>Creates the exception from the command's verb and the server's tagged reply.</summary>
    /// <param name="command">The verb only (LOGIN, SELECT, UID FETCH, ...), never arguments or credentials.</param>
    /// <param name="status">NO or BAD.</param>
    /// <param name="serverText">The reply text.</param>
    /// <param name="responseCode">The bracketed response code, if any (for example AUTHENTICATIONFAILED).</param>
    public ImapCommandException(string command, string status, string serverText, string? responseCode = null)
        : base($"IMAP {command} failed: {status}{(responseCode is null ? string.Empty : $" [{responseCode}]")} {serverText}".TrimEnd())
    {
        Command = command;
        Status = status;
        ServerText = serverText;
        ResponseCode = responseCode;
    }

    /// <summary>NO or BAD.</summary>
    public string Status { get; }

    /// <summary>The server's reply text.</summary>
    public string ServerText { get; }

    /// <summary>The refused command's verb; never its arguments.</summary>
    public string Command { get; }

    /// <summary>Name of the bracketed response code (AUTHENTICATIONFAILED, TRYCREATE, ...), if the server sent one.</summary>
    public string? ResponseCode { get; }
}
