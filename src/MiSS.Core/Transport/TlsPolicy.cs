using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Security;
using MiSS.Core.Configuration;

namespace MiSS.Core.Transport;

/// <summary>
/// The TLS rules of one connection, set on MailKit's <see cref="MailService"/>: TLS 1.2 or 1.3 only, the server certificate
/// verified against the configured anchors only (the system store only when none are configured, which the transport
/// profile allows or refuses), the profile's cipher suites (Linux), the mailbox's client certificate. One instance per
/// connection: it remembers why a certificate was refused, so the failure says it in French.
/// </summary>
public sealed class TlsPolicy
{
    /// <summary>The protocols offered: nothing below TLS 1.2.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    readonly string _host;
    readonly X509Certificate2Collection? _anchors;
    readonly bool _acceptAny;
    readonly IReadOnlyList<TlsCipherSuite>? _suites;
    readonly X509Certificate2? _clientCertificate;

    TlsPolicy(string host, X509Certificate2Collection? anchors, bool acceptAny, IReadOnlyList<TlsCipherSuite>? suites, X509Certificate2? clientCertificate)
    {
        _host = host;
        _anchors = anchors;
        _acceptAny = acceptAny;
        _suites = suites;
        _clientCertificate = clientCertificate;
    }

    /// <summary>The cipher suites offered (null: the system's); enforced on Linux only.</summary>
    public IReadOnlyList<TlsCipherSuite>? CipherSuites => _suites;

    /// <summary>Whether the system trust store judges the server (no anchors configured).</summary>
    public bool UsesSystemTrust => _anchors is null && !_acceptAny;

    /// <summary>Why the last server certificate was refused, in French; null when none was.</summary>
    public string? Rejection { get; private set; }

    /// <summary>The policy <paramref name="server"/> describes, presenting <paramref name="clientCertificate"/> when given.</summary>
    public static TlsPolicy For(MailServerOptions server, X509Certificate2? clientCertificate = null)
    {
        X509Certificate2Collection? anchors = null;
        if (!string.IsNullOrEmpty(server.TrustAnchorsPath))
        {
            anchors = [];
            anchors.ImportFromPemFile(server.TrustAnchorsPath);
            if (anchors.Count == 0 && !server.DangerouslyAcceptAnyServerCertificate)
            {
                // An empty anchor file would refuse every server: say so now rather than at each connection.
                throw new InvalidOperationException($"le fichier d'autorités {server.TrustAnchorsPath} ne contient aucun certificat");
            }
        }
        if (clientCertificate is { HasPrivateKey: false })
        {
            throw new InvalidOperationException("le certificat client TLS n'a pas de clé privée");
        }
        var suites = server.CipherSuites?.Select(name => Enum.TryParse<TlsCipherSuite>(name, out var suite) && Enum.IsDefined(suite)
            ? suite
            : throw new InvalidOperationException($"suite TLS inconnue « {name} »")).ToArray();
        return new TlsPolicy(server.Host, anchors, server.DangerouslyAcceptAnyServerCertificate, suites, clientCertificate);
    }

    /// <summary>Sets this policy on <paramref name="client"/> before it connects.</summary>
    public void ApplyTo(MailService client)
    {
        client.SslProtocols = Protocols;
        // Revocation of the server's chain is not checked online: CRL handling of the operators' chains comes with the trust work.
        client.CheckCertificateRevocation = false;
        client.ServerCertificateValidationCallback = Validate;
        if (_suites is { Count: > 0 } && OperatingSystem.IsLinux())
        {
            client.SslCipherSuitesPolicy = new CipherSuitesPolicy(_suites);
        }
        if (_clientCertificate is not null)
        {
            client.ClientCertificates = [_clientCertificate];
        }
    }

    /// <summary>A handshake failure with the reason this policy found, in French, when it refused the certificate.</summary>
    public SslHandshakeException Explain(SslHandshakeException e) => new(
        Rejection ?? $"échec de la négociation TLS avec {_host} (seuls TLS 1.2 et 1.3 sont proposés ; ce port parle-t-il TLS ?)", e);

    bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_acceptAny)
        {
            return true;
        }
        Rejection = Judge(certificate, chain, errors);
        return Rejection is null;
    }

    string? Judge(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return $"TLS : le serveur {_host} n'a présenté aucun certificat";
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"TLS : le certificat du serveur n'est pas au nom de « {_host} » ({certificate.Subject})";
        }
        if (_anchors is null)
        {
            return errors == SslPolicyErrors.None ? null : $"TLS : le certificat du serveur {_host} est refusé : {Describe(chain)}";
        }
        // Only the configured anchors count, whatever the system store holds.
        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        own.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                own.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return own.Build(leaf) ? null : $"TLS : le certificat du serveur {_host} est refusé : {Describe(own)}";
    }

    static string Describe(X509Chain? chain)
    {
        var reasons = (chain?.ChainStatus ?? []).Select(s => s.Status switch
        {
            X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "autorité racine non reconnue (hors des autorités configurées)",
            X509ChainStatusFlags.NotTimeValid => "certificat expiré ou pas encore valide",
            X509ChainStatusFlags.Revoked => "certificat révoqué",
            X509ChainStatusFlags.NotSignatureValid => "signature invalide",
            X509ChainStatusFlags.NotValidForUsage => "certificat non prévu pour un serveur TLS",
            _ => s.Status.ToString(),
        }).Distinct().ToList();
        return reasons.Count == 0 ? "chaîne de certificats invalide" : string.Join(" ; ", reasons);
    }
}
