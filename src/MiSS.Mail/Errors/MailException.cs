namespace MiSS.Mail;

/// <summary>Base of every failure reported by the mail protocol clients.</summary>
public class MailException : Exception
{
    /// <summary>Creates the exception without a message.</summary>
    public MailException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MailException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MailException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
