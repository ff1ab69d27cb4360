using System.Security.Cryptography.X509Certificates;

namespace MiSS.Mail.Tls;

/// <summary>How the server certificate is judged and what the client presents during a TLS handshake.</summary>
public sealed class TlsSettings
{
    /// <summary>
    /// When set, the server chain is built with <see cref="X509ChainTrustMode.CustomRootTrust"/> against exactly
    /// these anchors; the system store is then ignored. An empty collection is a configuration error.
    /// </summary>
    public X509Certificate2Collection? TrustAnchors { get; init; }

    /// <summary>Whether the system trust store is used when <see cref="TrustAnchors"/> is not set.</summary>
    public bool UseSystemTrust { get; init; } = true;

    /// <summary>Client certificate (with private key) offered to the server, if any.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// Revocation checking of the server chain. Defaults to no check: CRL/OCSP handling comes with the trust work later.
    /// </summary>
    public X509RevocationMode RevocationMode { get; init; } = X509RevocationMode.NoCheck;

    /// <summary>Permits credentials and mail on a connection without TLS. Never in production; for tests only.</summary>
    public bool AllowPlaintext { get; init; }

    /// <summary>
    /// Accepts any server certificate, valid or not. A development-only escape hatch that removes all protection
    /// against interception; callers must log loudly when they set it. Default false.
    /// </summary>
    public bool DangerouslyAcceptAnyServerCertificate { get; init; }

    /// <summary>
    /// The cipher suites offered (TLS 1.2 and 1.3 alike); null: the system's. Enforced where .NET can restrict them,
    /// on Linux with OpenSSL (<see cref="System.Net.Security.CipherSuitesPolicy"/>); elsewhere the system's policy applies.
    /// </summary>
    public IReadOnlyList<System.Net.Security.TlsCipherSuite>? CipherSuites { get; init; }

    /// <summary>Upper bound for the whole TLS handshake.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
