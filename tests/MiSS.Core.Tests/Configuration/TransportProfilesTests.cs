using System.Net.Security;
using MiSS.Core.Configuration;
using MiSS.Core.Transport;

namespace MiSS.Core.Tests.Configuration;

/// <summary>How a transport profile fills the options, and how explicit options override it.</summary>
public class TransportProfilesTests
{
    static readonly string AnchorsFile = WriteAnchors();

    /// <summary>A PEM file with one self-signed CA, standing for the IGC-Santé roots.</summary>
    static string WriteAnchors()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=AC RACINE IGC-SANTE TEST", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(Path.GetTempPath(), $"miss-anchors-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    [OneTimeTearDown]
    public void Clean() => File.Delete(AnchorsFile);

    static MissOptions Options(string profile, string? anchors = null)
    {
        anchors ??= AnchorsFile;
        var options = new MissOptions { Transport = { Profile = profile } };
        options.Imap.Host = options.Smtp.Host = "mail.operateur.example";
        options.Imap.TrustAnchorsPath = options.Smtp.TrustAnchorsPath = anchors;
        return options;
    }

    [Test]
    public void Without_a_profile_the_endpoints_stay_as_before()
    {
        var options = new MissOptions();
        options.ApplyTransportProfile();

        Assert.That((options.Imap.Port, options.Imap.EffectiveSecurity), Is.EqualTo((993, MailSecurity.ImplicitTls)));
        Assert.That((options.Smtp.Port, options.Smtp.EffectiveSecurity), Is.EqualTo((587, MailSecurity.StartTls)));
        Assert.That(options.Imap.CipherSuites, Is.Null);
        Assert.That(options.Attachments.TransportProfile, Is.SameAs(MiSS.Core.Documents.TransportProfile.MSSante));
    }

    [Test]
    public void The_mssante_profile_gives_starttls_the_referential_suites_and_its_limits()
    {
        var options = Options("MSSante");
        options.ApplyTransportProfile();

        Assert.That((options.Imap.Port, options.Imap.EffectiveSecurity), Is.EqualTo((143, MailSecurity.StartTls)));
        Assert.That((options.Smtp.Port, options.Smtp.EffectiveSecurity), Is.EqualTo((587, MailSecurity.StartTls)));
        var tls = TlsPolicy.For(options.Smtp);
        Assert.That(tls.CipherSuites, Does.Contain(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384));
        Assert.That(tls.CipherSuites!.Select(s => s.ToString()), Has.All.Contains("GCM"), "AES-GCM only");
        Assert.That(tls.CipherSuites!.Select(s => s.ToString()).Where(s => s.Contains("_WITH_", StringComparison.Ordinal)), Has.All.StartWith("TLS_ECDHE_"),
            "TLS 1.2 suites with ECDHE only");
        Assert.That(tls.UsesSystemTrust, Is.False);
        Assert.That(options.Attachments.TransportProfile, Is.SameAs(MiSS.Core.Documents.TransportProfile.MSSante));
    }

    [Test]
    public void The_apicrypt_profile_gives_its_size_limits()
    {
        var options = Options("apicrypt");
        options.ApplyTransportProfile();

        Assert.That(options.Attachments.TransportProfile, Is.SameAs(MiSS.Core.Documents.TransportProfile.Apicrypt));
        Assert.That(options.Smtp.Port, Is.EqualTo(587));
    }

    [Test]
    public void The_dev_profile_points_at_the_local_mail_server()
    {
        var options = new MissOptions { Transport = { Profile = "dev" } };
        options.Imap.TrustAnchorsPath = options.Smtp.TrustAnchorsPath = "certs-dev/trust-anchors.pem";
        options.ApplyTransportProfile();

        Assert.That((options.Imap.Host, options.Imap.Port, options.Imap.EffectiveSecurity), Is.EqualTo(("localhost", 10143, MailSecurity.StartTls)));
        Assert.That((options.Smtp.Host, options.Smtp.Port, options.Smtp.EffectiveSecurity), Is.EqualTo(("localhost", 10587, MailSecurity.StartTls)));
        Assert.That(options.Smtp.CipherSuites, Is.Null);
    }

    [Test]
    public void Explicit_options_override_the_profile()
    {
        var options = Options("mssante");
        options.Imap.Port = 993;
        options.Imap.Security = MailSecurity.ImplicitTls;
        options.Smtp.CipherSuites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"];
        options.Attachments.Profile = "Apicrypt";
        options.ApplyTransportProfile();
        options.ApplyTransportProfile(); // idempotent

        Assert.That((options.Imap.Host, options.Imap.Port, options.Imap.EffectiveSecurity), Is.EqualTo(("mail.operateur.example", 993, MailSecurity.ImplicitTls)));
        Assert.That(TlsPolicy.For(options.Smtp).CipherSuites, Is.EqualTo(new[] { TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 }));
        Assert.That(options.Attachments.TransportProfile, Is.SameAs(MiSS.Core.Documents.TransportProfile.Apicrypt));
    }

    [Test]
    public void The_mssante_profile_refuses_the_system_store_and_an_unknown_profile_or_suite_is_an_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Options("mssante", anchors: "").ApplyTransportProfile());
        Assert.That(e!.Message, Does.Contain("MiSS:Imap:TrustAnchorsPath"));

        e = Assert.Throws<InvalidOperationException>(() => Options("smtp-ordinaire").ApplyTransportProfile());
        Assert.That(e!.Message, Does.Contain("profil de transport inconnu « smtp-ordinaire »"));

        var options = Options("mssante");
        options.Smtp.CipherSuites = ["TLS_RC4_PAS_UNE_SUITE"];
        options.ApplyTransportProfile();
        e = Assert.Throws<InvalidOperationException>(() => TlsPolicy.For(options.Smtp));
        Assert.That(e!.Message, Does.Contain("suite TLS inconnue"));
    }
}
