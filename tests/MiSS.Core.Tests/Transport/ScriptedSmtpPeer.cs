using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Tests.Transport;

/// <summary>
/// A scripted SMTP peer, not a server: it replays a conversation written by each test over one loopback connection
/// (see <see cref="ScriptedPeer"/>). Its canned replies imitate Postfix 3.7 on the submission port.
/// </summary>
internal static class ScriptedSmtpPeer
{
    /// <summary>Postfix-style greeting.</summary>
    public const string Greeting = "220 mail.test ESMTP Postfix (Debian/GNU)";

    /// <summary>EHLO reply before TLS (Postfix with smtpd_tls_auth_only: no AUTH yet).</summary>
    public static readonly string[] EhloBeforeTls =
    [
        "250-mail.test", "250-PIPELINING", "250-SIZE 10240000", "250-VRFY", "250-ETRN", "250-STARTTLS",
        "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING",
    ];

    /// <summary>EHLO reply after TLS.</summary>
    public static readonly string[] EhloAfterTls =
    [
        "250-mail.test", "250-PIPELINING", "250-SIZE 10240000", "250-VRFY", "250-ETRN", "250-AUTH PLAIN LOGIN",
        "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING",
    ];

    /// <summary>Starts a peer running <paramref name="script"/>.</summary>
    public static ScriptedPeer Start(Func<PeerSession, Task> script) => ScriptedPeer.Start(script);

    /// <summary>Sends the greeting, expects EHLO and answers with <paramref name="ehloReply"/> (default: after-TLS list).</summary>
    public static async Task GreetAsync(this PeerSession session, string[]? ehloReply = null)
    {
        await session.SendAsync(Greeting);
        await session.ExpectAsync("EHLO *");
        await session.SendAsync(ehloReply ?? EhloAfterTls);
    }

    /// <summary>Reads DATA content up to and including the terminating CRLF.CRLF.</summary>
    public static Task<byte[]> ReadDataAsync(this PeerSession session) => session.ReadUntilAsync("\r\n.\r\n"u8.ToArray());

    /// <summary>
    /// The STARTTLS opening of a submission server: greeting, EHLO (no AUTH before TLS), STARTTLS, the handshake with
    /// <paramref name="certificate"/> (default: the test server's), then EHLO again answered with <paramref name="ehloAfterTls"/>.
    /// </summary>
    public static async Task GreetWithStartTlsAsync(this PeerSession session, string[]? ehloAfterTls = null, X509Certificate2? certificate = null,
        bool askClientCertificate = false)
    {
        await session.SendAsync(Greeting);
        await session.ExpectAsync("EHLO *");
        await session.SendAsync(EhloBeforeTls);
        await session.ExpectAsync("STARTTLS");
        await session.SendAsync("220 2.0.0 Ready to start TLS");
        await session.StartTlsAsync(certificate ?? TestCertificates.Server, askClientCertificate);
        await session.ExpectAsync("EHLO *");
        await session.SendAsync(ehloAfterTls ?? EhloAfterTls);
    }
}
