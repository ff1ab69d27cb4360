namespace MiSS.Mail;

/// <summary>
/// The connection could not be made, was dropped, or timed out. After this exception the client is unusable
/// and must be disposed; a new client must connect again.
/// </summary>
public sealed class MailConnectionException : MailException
{
    /// <summary>Creates the exception without a message.</summary>
    public MailConnectionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MailConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MailConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the failure was a timeout rather than a refusal or a drop.</summary>
    public bool IsTimeout => InnerException is TimeoutException;
}
