using MiSS.Core.Configuration;
using MiSS.Core.Transport;

namespace MiSS.Core.Tests.Transport;

/// <summary>Options pointing the product's connection code at a scripted peer, trusting the test CA only.</summary>
internal static class TransportTestOptions
{
    static readonly Lazy<string> TestCaFile = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"miss-test-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, TestCertificates.Ca.ExportCertificatePem());
        return path;
    });

    /// <summary>A PEM file holding the test CA, the only anchor.</summary>
    public static string TestCaPath => TestCaFile.Value;

    /// <summary>A mailbox (password authentication) whose SMTP and IMAP servers are the peer on 127.0.0.1.</summary>
    public static MissOptions For(int port, MailSecurity security = MailSecurity.StartTls, string host = "127.0.0.1", string? anchors = null)
    {
        var options = new MissOptions();
        options.Mailbox.Address = "claire.martin@dev.mssante.test";
        options.Mailbox.Password = "mot-de-passe";
        options.Smtp = new MailServerOptions { Host = host, Port = port, Security = security, TrustAnchorsPath = anchors ?? TestCaPath };
        options.Imap = new MailServerOptions { Host = host, Port = port, Security = security, TrustAnchorsPath = anchors ?? TestCaPath };
        return options;
    }
}
