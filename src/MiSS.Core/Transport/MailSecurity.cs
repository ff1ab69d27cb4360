using MailKit.Security;

namespace MiSS.Core.Transport;

/// <summary>How a connection to the mail server is protected (the names bind from <c>MiSS:Imap:Security</c> and <c>MiSS:Smtp:Security</c>).</summary>
public enum MailSecurity
{
    /// <summary>Plain connection upgraded with STARTTLS; fails if the server does not offer it (never a silent downgrade).</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS 465, IMAPS 993).</summary>
    ImplicitTls,

    /// <summary>
    /// Plaintext: the connection is made, but credentials are never sent on it (<see cref="Configuration.MailboxCredentials"/>).
    /// Exists for tests of that refusal.
    /// </summary>
    None,
}

/// <summary>MailKit's name for each <see cref="MailSecurity"/>.</summary>
public static class MailSecurityExtensions
{
    /// <summary>
    /// The socket options of <paramref name="security"/>. STARTTLS maps to <see cref="SecureSocketOptions.StartTls"/>,
    /// which fails when the server does not offer it, never to <see cref="SecureSocketOptions.StartTlsWhenAvailable"/>.
    /// </summary>
    public static SecureSocketOptions ToSocketOptions(this MailSecurity security) => security switch
    {
        MailSecurity.StartTls => SecureSocketOptions.StartTls,
        MailSecurity.ImplicitTls => SecureSocketOptions.SslOnConnect,
        MailSecurity.None => SecureSocketOptions.None,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, "mode TLS inconnu"),
    };
}
