namespace MiSS.Mail.Tls;

/// <summary>How a mail connection is protected.</summary>
public enum MailSecurity
{
    /// <summary>Plain connection upgraded with STARTTLS; fails if the server does not offer it (no silent downgrade).</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS 465, IMAPS 993).</summary>
    ImplicitTls,

    /// <summary>
    /// Plaintext. The connection is made, but credentials and mail are refused on it unless
    /// <see cref="TlsSettings.AllowPlaintext"/> is set. Exists for tests of that refusal.
    /// </summary>
    None,
}
