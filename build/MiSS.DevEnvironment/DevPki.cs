using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.DevEnvironment;

/// <summary>
/// The development PKI, shaped like IGC-Santé's with a DEV marker on every name: a root
/// ("AC RACINE IGC-SANTE ELEMENTAIRE DEV"), an issuing CA for persons (practitioner S/MIME certificates)
/// and one for organisations (the local mail server's TLS certificate), a CRL of the persons CA.
/// Generated on demand into a folder that git ignores; private keys never leave it.
/// </summary>
public sealed class DevPki
{
    /// <summary>The mail domain of the development practitioners.</summary>
    public const string Domain = "dev.mssante.test";

    /// <summary>Host names the local mail server's certificate is valid for.</summary>
    public static readonly IReadOnlyList<string> MailServerNames = ["localhost", "mail." + Domain];

    /// <summary>The development practitioners: a GP, a nurse, a pharmacist and a physiotherapist.</summary>
    public static IReadOnlyList<DevPractitioner> Practitioners { get; } =
    [
        new("claire.martin", "Claire", "Martin", "10101234564", "Médecin"),
        new("julien.bernard", "Julien", "Bernard", "10101234572", "Infirmier"),
        new("sophie.petit", "Sophie", "Petit", "10101234580", "Pharmacien"),
        new("marc.leroy", "Marc", "Leroy", "10101234598", "Masseur-kinésithérapeute"),
    ];

    const string DevOrganisation = "MiSS DEV - NON PRODUCTION";
    const string CrlUrl = "http://crl." + Domain + "/ac-igc-sante-elementaire-personnes-dev.crl";
    static readonly TimeSpan Renewal = TimeSpan.FromDays(30);

    readonly string _directory;

    DevPki(string directory) => _directory = directory;

    /// <summary>The folder holding the generated files.</summary>
    public string Directory => _directory;

    /// <summary>PEM file with the root certificate only: what MiSS and its tests configure as trust anchor.</summary>
    public string TrustAnchorsPath => Path.Combine(_directory, "trust-anchors.pem");

    /// <summary>PEM file with the issuing CA certificates (intermediates), for chain building.</summary>
    public string IntermediatesPath => Path.Combine(_directory, "intermediates.pem");

    /// <summary>DER CRL of the persons CA.</summary>
    public string PersonsCrlPath => Path.Combine(_directory, "ac-personnes.crl");

    /// <summary>The root's revocation list (of the CAs it issued).</summary>
    public string RootCrlPath => Path.Combine(_directory, "root-ca.crl");

    /// <summary>Every CRL of the PKI, as an instance's <c>Trust:CrlPaths</c> lists them.</summary>
    public string[] CrlPaths => [RootCrlPath, PersonsCrlPath];

    /// <summary>How long the generated CRLs stay current; they are issued again well before.</summary>
    static readonly TimeSpan CrlValidity = TimeSpan.FromDays(30);

    /// <summary>PEM chain (leaf then issuing CA) of the mail server's TLS certificate.</summary>
    public string MailServerCertificatePath => Path.Combine(_directory, "mail-server.pem");

    /// <summary>PEM private key of the mail server's TLS certificate.</summary>
    public string MailServerKeyPath => Path.Combine(_directory, "mail-server.key");

    /// <summary>PEM certificate of a practitioner.</summary>
    public string CertificatePath(DevPractitioner p) => Path.Combine(_directory, "practitioners", p.Id + ".pem");

    /// <summary>PEM private key of a practitioner.</summary>
    public string KeyPath(DevPractitioner p) => Path.Combine(_directory, "practitioners", p.Id + ".key");

    /// <summary>PKCS#12 (certificate and key, no password: dev only, mode 0600) of a practitioner.</summary>
    public string PfxPath(DevPractitioner p) => Path.Combine(_directory, "practitioners", p.Id + ".pfx");

    string CaCertPath(string name) => Path.Combine(_directory, name + ".pem");
    string CaKeyPath(string name) => Path.Combine(_directory, name + ".key");

    /// <summary>The root CA certificate (public part).</summary>
    public X509Certificate2 LoadRoot() => X509CertificateLoader.LoadCertificateFromFile(CaCertPath("root-ca"));

    /// <summary>The persons issuing CA with its private key, to issue test certificates.</summary>
    public X509Certificate2 LoadPersonsCa() => X509Certificate2.CreateFromPemFile(CaCertPath("ac-personnes"), CaKeyPath("ac-personnes"));

    /// <summary>A practitioner's certificate with its private key.</summary>
    public X509Certificate2 LoadPractitioner(DevPractitioner p) => X509Certificate2.CreateFromPemFile(CertificatePath(p), KeyPath(p));

    /// <summary>
    /// Opens the PKI in <paramref name="directory"/>, generating it when absent, incomplete or near expiry.
    /// Safe to call from several processes at once (a file lock serialises generation).
    /// </summary>
    public static DevPki LoadOrCreate(string directory, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        System.IO.Directory.CreateDirectory(directory);
        var pki = new DevPki(Path.GetFullPath(directory));
        using var _ = AcquireLock(Path.Combine(pki._directory, ".lock"));
        if (!pki.IsComplete(time.GetUtcNow()))
        {
            pki.Generate(time.GetUtcNow());
        }
        else if (pki.CrlsDue(time.GetUtcNow()))
        {
            pki.IssueCrls(time.GetUtcNow());
        }
        return pki;
    }

    /// <summary>
    /// A certificate of the organisations CA, "LISTE BLANCHE MSSANTE DEV", with its key, to sign a development white list
    /// (<see cref="DevWhiteList.Sign"/>); not written to disk, each call issues a new one.
    /// </summary>
    public X509Certificate2 IssueWhiteListSigner(DateTimeOffset now)
    {
        using var ca = X509Certificate2.CreateFromPemFile(CaCertPath("ac-organisations"), CaKeyPath("ac-organisations"));
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("FR");
        name.AddOrganizationName(DevOrganisation);
        name.AddCommonName("LISTE BLANCHE MSSANTE DEV");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        AddIssuerLinks(request, ca);
        using var issued = request.Create(ca, now.AddDays(-1), Min(now.AddYears(1), ca.NotAfter), NewSerial());
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A CRL of the persons CA revoking <paramref name="revoked"/>, valid from <paramref name="now"/> for
    /// <paramref name="validity"/> (a stale one when that is in the past): for revocation tests.
    /// </summary>
    public byte[] BuildPersonsCrl(IEnumerable<X509Certificate2> revoked, DateTimeOffset now, TimeSpan? validity = null)
    {
        using var ca = LoadPersonsCa();
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, now.AddMinutes(-1), X509RevocationReason.KeyCompromise);
        }
        return builder.Build(ca, crlNumber: now.ToUnixTimeSeconds(), now + (validity ?? CrlValidity), HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1, now.AddMinutes(-1));
    }

    /// <summary>True when the CRLs come within a third of their validity of going stale.</summary>
    bool CrlsDue(DateTimeOffset now) => CrlPaths.Any(path =>
    {
        if (!File.Exists(path))
        {
            return true;
        }
        return File.GetLastWriteTimeUtc(path) + CrlValidity * 2 / 3 < now.UtcDateTime;
    });

    /// <summary>Issues both CRLs again (empty: nothing of the dev PKI is revoked).</summary>
    void IssueCrls(DateTimeOffset now)
    {
        using var root = X509Certificate2.CreateFromPemFile(CaCertPath("root-ca"), CaKeyPath("root-ca"));
        File.WriteAllBytes(RootCrlPath, new CertificateRevocationListBuilder().Build(root, now.ToUnixTimeSeconds(), now + CrlValidity,
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now.AddMinutes(-1)));
        File.WriteAllBytes(PersonsCrlPath, BuildPersonsCrl([], now));
    }

    /// <summary>
    /// Issues a practitioner certificate from the persons CA without writing it anywhere: for tests that need
    /// certificates the directory does not hold (another address, expired, wrong usage).
    /// </summary>
    public X509Certificate2 IssuePractitionerCertificate(DevPractitioner p, DateTimeOffset notBefore, DateTimeOffset notAfter,
        string? mailbox = null, bool emailProtection = true)
    {
        using var ca = LoadPersonsCa();
        // A certificate cannot start before its issuer.
        var start = notBefore.UtcDateTime < ca.NotBefore.ToUniversalTime() ? new DateTimeOffset(ca.NotBefore.ToUniversalTime()) : notBefore;
        return IssueLeaf(ca, PractitionerSubject(p), mailbox ?? p.Address, start, notAfter, emailProtection);
    }

    bool IsComplete(DateTimeOffset now)
    {
        string[] files =
        [
            TrustAnchorsPath, IntermediatesPath, MailServerCertificatePath, MailServerKeyPath, CaKeyPath("root-ca"),
            CaKeyPath("ac-personnes"), .. Practitioners.SelectMany(p => new[] { CertificatePath(p), KeyPath(p), PfxPath(p) }),
        ];
        if (!files.All(File.Exists))
        {
            return false;
        }
        // Renew everything a month before the first certificate expires.
        string[] certs = [CaCertPath("root-ca"), CaCertPath("ac-personnes"), MailServerCertificatePath, .. Practitioners.Select(CertificatePath)];
        return certs.All(path =>
        {
            using var cert = X509CertificateLoader.LoadCertificateFromFile(path);
            return cert.NotAfter.ToUniversalTime() - now.UtcDateTime > Renewal;
        });
    }

    void Generate(DateTimeOffset now)
    {
        var start = now.AddDays(-1);
        System.IO.Directory.CreateDirectory(Path.Combine(_directory, "practitioners"));

        using var root = CreateCa("AC RACINE IGC-SANTE ELEMENTAIRE DEV", issuer: null, start, now.AddYears(10));
        using var persons = CreateCa("AC IGC-SANTE ELEMENTAIRE PERSONNES DEV", root, start, now.AddYears(5));
        using var organisations = CreateCa("AC IGC-SANTE ELEMENTAIRE ORGANISATIONS DEV", root, start, now.AddYears(5));
        WriteCertificate(CaCertPath("root-ca"), root);
        WriteKey(CaKeyPath("root-ca"), root);
        WriteCertificate(CaCertPath("ac-personnes"), persons);
        WriteKey(CaKeyPath("ac-personnes"), persons);
        WriteCertificate(CaCertPath("ac-organisations"), organisations);
        WriteKey(CaKeyPath("ac-organisations"), organisations);
        File.WriteAllText(TrustAnchorsPath, root.ExportCertificatePem() + "\n");
        File.WriteAllText(IntermediatesPath, persons.ExportCertificatePem() + "\n" + organisations.ExportCertificatePem() + "\n");

        IssueCrls(now);

        foreach (var p in Practitioners)
        {
            using var cert = IssueLeaf(persons, PractitionerSubject(p), p.Address, start, now.AddYears(2), emailProtection: true);
            WriteCertificate(CertificatePath(p), cert);
            WriteKey(KeyPath(p), cert);
            File.WriteAllBytes(PfxPath(p), cert.Export(X509ContentType.Pkcs12));
            RestrictToOwner(PfxPath(p));
        }

        using var server = IssueServer(organisations, start, now.AddYears(2));
        File.WriteAllText(MailServerCertificatePath, server.ExportCertificatePem() + "\n" + organisations.ExportCertificatePem() + "\n");
        WriteKey(MailServerKeyPath, server);
    }

    static X500DistinguishedName PractitionerSubject(DevPractitioner p)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("FR");
        name.AddOrganizationName(DevOrganisation);
        name.AddOrganizationalUnitName(p.Profession);
        name.Add("2.5.4.4", p.FamilyName.ToUpperInvariant());  // surname
        name.Add("2.5.4.42", p.GivenName);                     // givenName
        name.Add("2.5.4.5", p.NationalId, System.Formats.Asn1.UniversalTagNumber.PrintableString); // serialNumber: 8 + RPPS
        name.AddCommonName(p.DisplayName);
        return name.Build();
    }

    static X509Certificate2 CreateCa(string commonName, X509Certificate2? issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("FR");
        name.AddOrganizationName(DevOrganisation);
        name.AddOrganizationalUnitName("IGC-SANTE DEV");
        name.AddCommonName(commonName);
        using var key = RSA.Create(issuer is null ? 4096 : 3072);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // Issuing CAs may only sign end-entity certificates (path length 0); the root is unconstrained.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, issuer is not null, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = request.Create(issuer, notBefore, notAfter, NewSerial());
        return issued.CopyWithPrivateKey(key);
    }

    static X509Certificate2 IssueLeaf(X509Certificate2 issuer, X500DistinguishedName subject, string mailbox,
        DateTimeOffset notBefore, DateTimeOffset notAfter, bool emailProtection)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var usage = emailProtection ? "1.3.6.1.5.5.7.3.4" : "1.3.6.1.5.5.7.3.2"; // emailProtection, or clientAuth only
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid(usage)], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddEmailAddress(mailbox);
        request.CertificateExtensions.Add(san.Build());
        AddIssuerLinks(request, issuer);
        using var issued = request.Create(issuer, notBefore, Min(notAfter, issuer.NotAfter), NewSerial());
        return issued.CopyWithPrivateKey(key);
    }

    static X509Certificate2 IssueServer(X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("FR");
        name.AddOrganizationName(DevOrganisation);
        name.AddCommonName(MailServerNames[1]);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in MailServerNames)
        {
            san.AddDnsName(host);
        }
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        AddIssuerLinks(request, issuer);
        using var issued = request.Create(issuer, notBefore, Min(notAfter, issuer.NotAfter), NewSerial());
        return issued.CopyWithPrivateKey(key);
    }

    static void AddIssuerLinks(CertificateRequest request, X509Certificate2 issuer)
    {
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([CrlUrl]));
    }

    static DateTimeOffset Min(DateTimeOffset a, DateTime b) => a.UtcDateTime < b.ToUniversalTime() ? a : new DateTimeOffset(b.ToUniversalTime());

    static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        return serial;
    }

    static void WriteCertificate(string path, X509Certificate2 cert) => File.WriteAllText(path, cert.ExportCertificatePem() + "\n");

    static void WriteKey(string path, X509Certificate2 cert)
    {
        using var key = cert.GetRSAPrivateKey() ?? throw new InvalidOperationException("certificate has no RSA private key");
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem() + "\n");
        RestrictToOwner(path);
    }

    static void RestrictToOwner(string path) => UnixPermissions.Set(path, UnixPermissions.OwnerOnly);

    static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }
}
