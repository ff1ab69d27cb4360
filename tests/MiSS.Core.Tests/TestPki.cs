using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;

namespace MiSS.Core.Tests;

/// <summary>The repository's development PKI (generated on first use) and certificates made up for failure cases.</summary>
public static class TestPki
{
    /// <summary>The repository root (the folder of MiSS.sln).</summary>
    public static string RepositoryRoot { get; } = RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("MiSS.sln not found above the test assembly");

    static readonly Lazy<DevPki> Shared = new(() => DevPki.LoadOrCreate(Path.Combine(RepositoryRoot, "certs-dev")));

    public static DevPki Pki => Shared.Value;

    public static DevPractitioner Claire => DevPki.Practitioners[0];
    public static DevPractitioner Julien => DevPki.Practitioners[1];
    public static DevPractitioner Sophie => DevPki.Practitioners[2];

    public static SmimeTrust Trust(TimeProvider? time = null) =>
        SmimeTrust.FromPemFiles(Pki.TrustAnchorsPath, Pki.IntermediatesPath, X509RevocationMode.NoCheck, time ?? TimeProvider.System);

    /// <summary>A self-made CA that issues a certificate with a practitioner's exact identity: trusted by nobody here.</summary>
    public static X509Certificate2 RogueCertificate(DevPractitioner p)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=AC IGC-SANTE ELEMENTAIRE PERSONNES, O=Rogue, C=FR", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(Pki.LoadPractitioner(p).SubjectName, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.4")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddEmailAddress(p.Address);
        request.CertificateExtensions.Add(san.Build());
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), [1, 2, 3, 4]);
        return issued.CopyWithPrivateKey(key);
    }
}
