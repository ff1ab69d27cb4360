using System.Net.Security;
using MiSS.Core.Transport;

namespace MiSS.Core.Configuration;

/// <summary>
/// The defaults one transport gives (MSSanté, Apicrypt, the local development server): endpoints, STARTTLS or
/// implicit TLS, TLS cipher suites, whether the servers' anchors must be configured, and the size limits. Explicit
/// options always win: a profile fills only what the configuration left unset.
/// </summary>
/// <param name="Name">The profile's name in <c>MiSS:Transport:Profile</c>.</param>
/// <param name="Host">The server host when none is given (only the dev profile has one: operators differ).</param>
/// <param name="ImapPort">IMAP port.</param>
/// <param name="ImapSecurity">IMAP TLS mode.</param>
/// <param name="SmtpPort">SMTP submission port.</param>
/// <param name="SmtpSecurity">SMTP TLS mode.</param>
/// <param name="CipherSuites">The TLS suites offered (null: the system's); enforced on Linux only.</param>
/// <param name="RequiresTrustAnchors">Whether the servers' anchors must be configured (IGC-Santé roots), the system store refused.</param>
/// <param name="Limits">Size and count limits (<see cref="Documents.TransportProfile"/>).</param>
public sealed record TransportProfileDefaults(
    string Name, string? Host, int ImapPort, MailSecurity ImapSecurity, int SmtpPort, MailSecurity SmtpSecurity,
    IReadOnlyList<TlsCipherSuite>? CipherSuites, bool RequiresTrustAnchors, Documents.TransportProfile Limits);

/// <summary>The known transport profiles and how they apply to <see cref="MissOptions"/>.</summary>
public static class TransportProfiles
{
    /// <summary>
    /// The suites of the MSSanté client referential: TLS 1.2 ECDHE with AES-GCM (RSA and ECDSA server keys), and the
    /// TLS 1.3 AES-GCM suites (TLS 1.3 has only AEAD suites with ephemeral key exchange). CBC suites, which the
    /// referential still tolerates, are left out.
    /// </summary>
    public static readonly IReadOnlyList<TlsCipherSuite> MSSanteCipherSuites =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ];

    /// <summary>MSSanté: IMAP and submission with STARTTLS (143, 587), the referential's suites, IGC-Santé anchors required.</summary>
    public static readonly TransportProfileDefaults MSSante = new("mssante", null, 143, MailSecurity.StartTls, 587, MailSecurity.StartTls,
        MSSanteCipherSuites, RequiresTrustAnchors: true, Documents.TransportProfile.MSSante);

    /// <summary>
    /// Apicrypt v2 (through its MSSanté platform): the same transport rules as MSSanté, its own size limits. The
    /// platform's anchors are not IGC-Santé's for sure, so the system store is accepted when none are given.
    /// </summary>
    public static readonly TransportProfileDefaults Apicrypt = new("apicrypt", null, 143, MailSecurity.StartTls, 587, MailSecurity.StartTls,
        MSSanteCipherSuites, RequiresTrustAnchors: false, Documents.TransportProfile.Apicrypt);

    /// <summary>The local development server of <c>./build.sh mail-up</c>: localhost, 10143 and 10587 with STARTTLS, the dev PKI as anchors.</summary>
    public static readonly TransportProfileDefaults Dev = new("dev", "localhost", 10143, MailSecurity.StartTls, 10587, MailSecurity.StartTls,
        null, RequiresTrustAnchors: true, Documents.TransportProfile.MSSante);

    /// <summary>The profile called <paramref name="name"/> (without case); an unknown name is a configuration error.</summary>
    public static TransportProfileDefaults Find(string name) => name.Trim().ToLowerInvariant() switch
    {
        "mssante" => MSSante,
        "apicrypt" => Apicrypt,
        "dev" => Dev,
        _ => throw new InvalidOperationException($"profil de transport inconnu « {name} » (MiSS:Transport:Profile) : mssante, apicrypt ou dev"),
    };

    /// <summary>
    /// Fills what the configuration left unset from the profile of <c>MiSS:Transport:Profile</c> (host, port with its TLS
    /// mode, cipher suites, attachment limits), then checks what the profile requires. Without a profile, the ports
    /// default to 993 (implicit TLS) and 587 (STARTTLS) as before. Idempotent.
    /// </summary>
    public static void ApplyTransportProfile(this MissOptions options)
    {
        var profile = string.IsNullOrWhiteSpace(options.Transport.Profile) ? null : Find(options.Transport.Profile);
        Fill(options.Imap, profile?.Host, profile?.ImapPort ?? 993, profile?.ImapSecurity ?? MailSecurity.ImplicitTls, profile?.CipherSuites);
        Fill(options.Smtp, profile?.Host, profile?.SmtpPort ?? 587, profile?.SmtpSecurity ?? MailSecurity.StartTls, profile?.CipherSuites);
        options.Attachments.Profile ??= profile?.Limits == Documents.TransportProfile.Apicrypt ? "Apicrypt" : "MSSante";
        if (profile is { RequiresTrustAnchors: true })
        {
            foreach (var (section, server) in new[] { ("Imap", options.Imap), ("Smtp", options.Smtp) })
            {
                if (string.IsNullOrEmpty(server.TrustAnchorsPath) && !server.DangerouslyAcceptAnyServerCertificate)
                {
                    throw new InvalidOperationException(
                        $"le profil de transport {profile.Name} exige MiSS:{section}:TrustAnchorsPath (les autorités du serveur, IGC-Santé pour MSSanté) : " +
                        "le magasin du système n'est pas utilisé");
                }
            }
        }
    }

    static void Fill(MailServerOptions server, string? host, int port, MailSecurity security, IReadOnlyList<TlsCipherSuite>? suites)
    {
        if (string.IsNullOrEmpty(server.Host) && host is not null)
        {
            server.Host = host;
        }
        if (server.Port == 0)
        {
            server.Port = port;
        }
        server.Security ??= security;
        server.CipherSuites ??= suites?.Select(s => s.ToString()).ToArray();
    }
}
