using System.Security.Cryptography.X509Certificates;
using MiSS.Core.Transport;

namespace MiSS.Core.Configuration;

/// <summary>The configuration of one MiSS instance: one secure mailbox. Bound from the "MiSS" section.</summary>
public sealed class MissOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "MiSS";

    /// <summary>The mailbox and its credentials.</summary>
    public MailboxOptions Mailbox { get; set; } = new();

    /// <summary>The IMAP server (reading).</summary>
    public MailServerOptions Imap { get; set; } = new();

    /// <summary>The SMTP submission server (sending).</summary>
    public MailServerOptions Smtp { get; set; } = new();

    /// <summary>The transport profile whose defaults fill what is not set (<see cref="TransportProfiles"/>).</summary>
    public TransportOptions Transport { get; set; } = new();

    /// <summary>The practitioner's S/MIME certificate and key.</summary>
    public CertificateOptions Certificate { get; set; } = new();

    /// <summary>S/MIME trust: anchors, intermediates, recipients' certificates.</summary>
    public TrustOptions Trust { get; set; } = new();

    /// <summary>Where the store and logs live; defaults to the user's local application data.</summary>
    public string DataDirectory { get; set; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "MiSS");

    /// <summary>Attachment limits and the photo budget.</summary>
    public AttachmentOptions Attachments { get; set; } = new();

    /// <summary>The value of X-MSS-NIL, the product reference MSSanté operators ask for.</summary>
    public string ProductReference { get; set; } = "MiSS";

    /// <summary>The local API and web client (docs/api.md).</summary>
    public ApiOptions Api { get; set; } = new();

    /// <summary>How long messages live (docs/protocol.md, section 9).</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>The trust space: the only domains messages may be written to (docs/security.md).</summary>
    public TrustSpaceOptions TrustSpace { get; set; } = new();

    /// <summary>What MiSS does when end-to-end encryption is not possible (docs/security.md).</summary>
    public SecurityOptions Security { get; set; } = new();

    /// <summary>The national directory kept current by download (docs/security.md, "Correspondents' certificates and the directory").</summary>
    public DirectoryOptions Directory { get; set; } = new();

    /// <summary>Path of the SQLite store.</summary>
    public string StorePath => Path.Combine(DataDirectory, Storage.MailboxSchema.FileName);

    /// <summary>Path of the national directory's SQLite file (public data, apart from the store).</summary>
    public string DirectoryPath => Path.Combine(DataDirectory, PractitionerDirectory.DirectoryDatabase.FileName);
}

/// <summary>
/// Where and how often the national directory is downloaded (<c>MiSS:Directory</c>); with neither URL set, the directory
/// is filled only by <c>miss directory import</c>. The HTTPS servers must chain to the download anchors
/// (<see cref="TrustOptions.DownloadAnchorsPath"/>, else <see cref="TrustOptions.AnchorsPath"/>).
/// </summary>
public sealed class DirectoryOptions
{
    /// <summary>The MSSanté bulk extraction ("Extraction_Correspondance_MSSante"): a .txt, or a .zip holding exactly one .txt.</summary>
    public string? ExtractionUrl { get; set; }

    /// <summary>An Annuaire Santé FHIR Bundle (a searchset, JSON), whose certificates are kept too.</summary>
    public string? FhirUrl { get; set; }

    /// <summary>How often the directory is downloaded again.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Largest download (and largest file in a .zip) taken: the national extraction is well over 20 MB.</summary>
    public long MaxDownloadBytes { get; set; } = 200L * 1024 * 1024;
}

/// <summary>The secure mailbox.</summary>
public sealed class MailboxOptions
{
    /// <summary>The mailbox address (also the From of every message).</summary>
    public string Address { get; set; } = "";

    /// <summary>The practitioner's name as shown in From.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>The login for IMAP and SMTP; defaults to the address.</summary>
    public string? UserName { get; set; }

    /// <summary>The password; give it through the environment (MiSS__Mailbox__Password), never in a committed file.</summary>
    public string Password { get; set; } = "";

    /// <summary>Password (default) or XOAUTH2 with a Pro Santé Connect token (docs/security.md, "Transport").</summary>
    public MailboxAuthentication Authentication { get; set; } = MailboxAuthentication.Password;

    /// <summary>
    /// For XOAUTH2: the environment variable holding the access token, read at each connection. There is deliberately
    /// no setting for the token itself: it must never be written in a settings file.
    /// </summary>
    public string AccessTokenVariable { get; set; } = "MISS_PSC_TOKEN";

    /// <summary>For XOAUTH2: a host-supplied source of tokens (a PSC client), used instead of the environment variable. Not bound from configuration.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IAccessTokenProvider? AccessTokenProvider { get; set; }

    /// <summary>
    /// A software certificate (PKCS#12, or PEM with <see cref="ClientCertificateKeyPath"/>) presented as TLS client
    /// certificate to the IMAP and SMTP servers, for operators that authenticate the client that way; the SASL step
    /// (<see cref="Authentication"/>) still follows.
    /// </summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The PEM key of <see cref="ClientCertificatePath"/> when it is a PEM certificate.</summary>
    public string? ClientCertificateKeyPath { get; set; }

    /// <summary>The PKCS#12 password of the client certificate (MiSS__Mailbox__ClientCertificatePassword, never committed).</summary>
    public string? ClientCertificatePassword { get; set; }

    /// <summary>The client certificate, or null when none is configured.</summary>
    public X509Certificate2? LoadClientCertificate() =>
        string.IsNullOrEmpty(ClientCertificatePath) ? null
        : ClientCertificateKeyPath is { Length: > 0 } ? X509Certificate2.CreateFromPemFile(ClientCertificatePath, ClientCertificateKeyPath)
        : X509CertificateLoader.LoadPkcs12FromFile(ClientCertificatePath, ClientCertificatePassword);

    /// <summary>The login actually used.</summary>
    public string Login => string.IsNullOrEmpty(UserName) ? Address : UserName;
}

/// <summary>A mail server endpoint.</summary>
public sealed class MailServerOptions
{
    /// <summary>Host name, as the server certificate names it.</summary>
    public string Host { get; set; } = "";

    /// <summary>TCP port; 0: the transport profile's (IMAP 993 and SMTP 587 without a profile).</summary>
    public int Port { get; set; }

    /// <summary>STARTTLS or implicit TLS (plaintext is not offered); unset: the mode of the profile's port.</summary>
    public MailSecurity? Security { get; set; }

    /// <summary>
    /// The TLS cipher suites offered, by their IANA names (<c>TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384</c>); unset: the
    /// transport profile's, else the system's. Enforced on Linux (OpenSSL); other systems use their own policy.
    /// </summary>
    public string[]? CipherSuites { get; set; }

    /// <summary>The TLS mode in use once the profile is applied.</summary>
    public MailSecurity EffectiveSecurity => Security ?? MailSecurity.StartTls;

    /// <summary>
    /// PEM file of the anchors the server's TLS certificate must chain to (and only them); the system store when unset,
    /// which a transport profile requiring anchors refuses (<see cref="TlsPolicy"/>).
    /// </summary>
    public string? TrustAnchorsPath { get; set; }

    /// <summary>Development only: accept any server certificate. Logged as a warning at every connection.</summary>
    public bool DangerouslyAcceptAnyServerCertificate { get; set; }
}

/// <summary>Where the practitioner's certificate and private key are.</summary>
public sealed class CertificateOptions
{
    /// <summary>A PKCS#12 file, or a PEM certificate (then <see cref="KeyPath"/> names the PEM key).</summary>
    public string Path { get; set; } = "";

    /// <summary>The PEM private key, when <see cref="Path"/> is a PEM certificate.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PKCS#12 password, if any (through the environment, never committed).</summary>
    public string? Password { get; set; }

    /// <summary>Loads the certificate with its private key.</summary>
    public X509Certificate2 Load()
    {
        if (string.IsNullOrEmpty(Path))
        {
            throw new InvalidOperationException("MiSS:Certificate:Path is not configured.");
        }
        return KeyPath is { Length: > 0 }
            ? X509Certificate2.CreateFromPemFile(Path, KeyPath)
            : X509CertificateLoader.LoadPkcs12FromFile(Path, Password);
    }
}

/// <summary>S/MIME trust settings.</summary>
public sealed class TrustOptions
{
    /// <summary>PEM file of the S/MIME trust anchors (IGC-Santé roots in production).</summary>
    public string AnchorsPath { get; set; } = "";

    /// <summary>PEM file of intermediate CAs, sent with signatures and used to build chains.</summary>
    public string? IntermediatesPath { get; set; }

    /// <summary>A folder of PEM certificates of correspondents (manual import), found by their rfc822Name.</summary>
    public string? CertificatesDirectory { get; set; }

    /// <summary>
    /// Revocation checking of signers' chains against <see cref="CrlPaths"/>: Offline (or Online) requires a current CRL for
    /// every CA of a chain; NoCheck checks the CRLs given and lets CAs without one pass.
    /// </summary>
    public X509RevocationMode RevocationMode { get; set; } = X509RevocationMode.NoCheck;

    /// <summary>
    /// Certificate revocation lists (DER or PEM) of the CAs: a signer on one of them is never verified. With a
    /// <see cref="RevocationMode"/> other than NoCheck, a CA without a list here makes its certificates' status unknown.
    /// </summary>
    public string[] CrlPaths { get; set; } = [];

    /// <summary>
    /// Where to download the CAs' revocation lists (http or https URLs of the IGC-Santé CRLs), at start and every
    /// <see cref="RefreshInterval"/>; the last good copy of each is kept in the data folder (docs/security.md,
    /// "Trust material refresh"). Plain http is fine: a list is taken only when its CA's signature verifies.
    /// </summary>
    public string[] CrlUrls { get; set; } = [];

    /// <summary>How often the CRLs and the white list are downloaded again.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// PEM file of the anchors the HTTPS servers of <see cref="CrlUrls"/> and the white list URL must chain to; unset:
    /// the S/MIME anchors (<see cref="AnchorsPath"/>). Never the system store. Kept apart so that a web server's CA
    /// never becomes an S/MIME anchor.
    /// </summary>
    public string? DownloadAnchorsPath { get; set; }
}

/// <summary>
/// The trust space: the MSSanté white list (ANS's <c>listeblanchemssante.xml</c>) and the Apicrypt domains. Any other
/// address is refused before anything is stored or sent.
/// </summary>
public sealed class TrustSpaceOptions
{
    /// <summary>
    /// The white list file, as published by ANS. Unset: the built-in development list (dev.mssante.test and
    /// bounce.mssante.test only), so that an instance left unconfigured cannot write to any real address.
    /// </summary>
    public string? WhiteListPath { get; set; }

    /// <summary>
    /// Where to download the white list (http or https), at start and every <c>MiSS:Trust:RefreshInterval</c>; the last
    /// good copy is kept in the data folder and read at the next start.
    /// </summary>
    public string? WhiteListUrl { get; set; }

    /// <summary>
    /// PEM file of the certificate(s) allowed to sign the white list. When set, a list (the file, a download, the kept
    /// copy) is taken only with a valid enveloped XML-DSig signature over the whole document by one of them.
    /// </summary>
    public string? WhiteListSignerPath { get; set; }

    /// <summary>Apicrypt domains allowed besides the white list (Apicrypt v2 reaches MSSanté through its platform).</summary>
    public string[] ApicryptDomains { get; set; } = [];
}

/// <summary>The sending policy when a recipient's encryption certificate is unknown.</summary>
public sealed class SecurityOptions
{
    /// <summary>
    /// False (the default): a recipient without a known, trusted encryption certificate does not get the message, and
    /// the practitioner is told why. True: such a recipient in the trust space gets it signed but not encrypted, relying
    /// on the MSSanté space's own TLS between operators; the message is marked "transport" on both sides. Recipients
    /// whose certificate is known still get it encrypted.
    /// </summary>
    public bool AllowTransportOnly { get; set; }
}

/// <summary>What attachments may be: the transport profile's limits and the photo budget.</summary>
public sealed class AttachmentOptions
{
    /// <summary>"MSSante" or "Apicrypt": the size and count limits of that transport; unset: the transport profile's.</summary>
    public string? Profile { get; set; }

    /// <summary>Longest side of a photo sent, in pixels.</summary>
    public int PhotoMaxLongSide { get; set; } = 2048;

    /// <summary>Size budget of a photo sent, in bytes.</summary>
    public int PhotoMaxBytes { get; set; } = 1_000_000;

    /// <summary>The transport profile named by <see cref="Profile"/>.</summary>
    public Documents.TransportProfile TransportProfile => string.Equals(Profile, "Apicrypt", StringComparison.OrdinalIgnoreCase)
        ? Documents.TransportProfile.Apicrypt
        : Documents.TransportProfile.MSSante;

    /// <summary>The photo options these settings give.</summary>
    public Photos.PhotoOptions PhotoOptions => Photos.PhotoOptions.Default with { MaxLongSide = PhotoMaxLongSide, MaxBytes = PhotoMaxBytes };

    /// <summary>The attachment checks these settings give.</summary>
    public Attachments.AttachmentPolicy Policy() => new(PhotoOptions, TransportProfile);
}

/// <summary>Which transport this mailbox is on.</summary>
public sealed class TransportOptions
{
    /// <summary>
    /// "mssante", "apicrypt" or "dev": the defaults of that transport (endpoints, TLS mode and suites, anchors required,
    /// size limits) for what the configuration leaves unset. Empty: no profile (ports 993 and 587, system suites).
    /// </summary>
    public string Profile { get; set; } = "";
}

/// <summary>Ephemeral messages: the lifetime new conversations start with.</summary>
public sealed class RetentionOptions
{
    /// <summary>Lifetime of a message in a new conversation, counted from its sending (members may change it).</summary>
    public TimeSpan Default { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a quarantined message's raw bytes are kept for inspection; only its reason and description remain after.
    /// The server copy of a quarantined message is never touched: it may be ordinary mail meant for a mail client.
    /// </summary>
    public TimeSpan Quarantine { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>The local HTTP API: loopback only, always.</summary>
public sealed class ApiOptions
{
    /// <summary>The port on 127.0.0.1 and ::1 (0: any free port on 127.0.0.1, for tests).</summary>
    public int Port { get; set; } = 7480;

    /// <summary>Origins allowed to call the API from a browser (CORS); none unless listed.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Largest request body accepted, in bytes (a message with its photos, in base64).</summary>
    public long MaxRequestBytes { get; set; } = 40_000_000;
}
