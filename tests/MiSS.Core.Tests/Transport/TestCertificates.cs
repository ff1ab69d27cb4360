using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Tests.Transport;

/// <summary>Throwaway CAs and server certificates made with <see cref="CertificateRequest"/> for loopback TLS tests.</summary>
internal static class TestCertificates
{
    /// <summary>Host name in the default server certificate.</summary>
    public const string ServerName = "mail.test";

    private static readonly Lazy<X509Certificate2> LazyCa = new(() => CreateCa("CN=MiSS Test CA"));
    private static readonly Lazy<X509Certificate2> LazyOtherCa = new(() => CreateCa("CN=MiSS Unrelated CA"));
    private static readonly Lazy<X509Certificate2> LazyServer = new(() => CreateServer(Ca, ServerName));

    /// <summary>The CA that issued <see cref="Server"/>.</summary>
    public static X509Certificate2 Ca => LazyCa.Value;

    /// <summary>A CA that issued nothing used by the servers.</summary>
    public static X509Certificate2 OtherCa => LazyOtherCa.Value;

    /// <summary>Server certificate for <see cref="ServerName"/> and 127.0.0.1, issued by <see cref="Ca"/>, valid now.</summary>
    public static X509Certificate2 Server => LazyServer.Value;

    /// <summary>Creates a self-signed CA certificate with its private key.</summary>
    public static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = request.CreateSelfSigned(now.AddDays(-30), now.AddYears(1));
        return Reload(ca);
    }

    /// <summary>Creates a TLS server certificate for <paramref name="dnsName"/> and 127.0.0.1 issued by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 CreateServer(
        X509Certificate2 issuer, string dnsName, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = request.Create(issuer, notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <summary>Round-trips through PKCS#12 so the private key is usable by the TLS stack on every platform.</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
}
