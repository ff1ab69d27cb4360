namespace MiSS.Mail;

/// <summary>
/// The server sent something that violates the protocol (malformed reply, over-long line, unexpected response).
/// The connection is unusable afterwards.
/// </summary>
public sealed class MailProtocolException : MailException
{
    /// <summary>Creates the exception without a message.</summary>
    public MailProtocolException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MailProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MailProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
