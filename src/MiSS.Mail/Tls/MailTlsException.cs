using MiSS.Mail;
namespace MiSS.Mail.Tls;

/// <summary>
/// TLS could not be established or was refused by policy: untrusted or mismatching certificate, failed handshake,
/// missing STARTTLS, or credentials refused on a plaintext channel. The message says precisely why.
/// </summary>
public sealed class MailTlsException : MailException
{
    /// <summary>Creates the exception without a message.</summary>
    public MailTlsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MailTlsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MailTlsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
