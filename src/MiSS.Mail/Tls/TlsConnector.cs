using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiSS.Mail.Net;

namespace MiSS.Mail.Tls;

/// <summary>Client side of a TLS handshake with the project's policy: TLS 1.2 or 1.3, host name checked, explicit trust.</summary>
public static class TlsConnector
{
    private const SslProtocols AllowedProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>
    /// Runs the TLS handshake over <paramref name="inner"/> and returns the authenticated stream, which owns
    /// <paramref name="inner"/>. On failure <paramref name="inner"/> is disposed and a <see cref="MailTlsException"/>
    /// says why (untrusted root, name mismatch, expired, handshake failure, timeout).
    /// </summary>
    public static async Task<SslStream> AuthenticateAsClientAsync(
        Stream inner, string targetHost, TlsSettings settings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetHost);
        ArgumentNullException.ThrowIfNull(settings);
        CheckSettings(settings);

        string? rejection = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = AllowedProtocols,
            CertificateRevocationCheckMode = settings.RevocationMode,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (settings.DangerouslyAcceptAnyServerCertificate || errors == SslPolicyErrors.None)
                {
                    return true;
                }

                rejection = DescribeRejection(targetHost, certificate, chain, errors);
                return false;
            },
        };

        if (settings.TrustAnchors is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = settings.RevocationMode,
                RevocationFlag = X509RevocationFlag.ExcludeRoot,
            };
            policy.CustomTrustStore.AddRange(settings.TrustAnchors);
            policy.ApplicationPolicy.Add(ServerAuthentication);
            options.CertificateChainPolicy = policy;
        }

        if (settings.CipherSuites is { Count: > 0 } suites && OperatingSystem.IsLinux())
        {
            options.CipherSuitesPolicy = new CipherSuitesPolicy(suites);
        }

        if (settings.ClientCertificate is not null)
        {
            options.ClientCertificateContext = SslStreamCertificateContext.Create(
                settings.ClientCertificate, additionalCertificates: null, offline: true);
        }

        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, timeout.Token);
        }
        catch (Exception ex)
        {
            await ssl.DisposeAsync();
            if (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException("TLS handshake cancelled", ex, ct);
            }

            throw TranslateFailure(ex, targetHost, rejection, timeout.IsCancellationRequested, settings.HandshakeTimeout);
        }

        if ((ssl.SslProtocol & AllowedProtocols) == 0)
        {
            var protocol = ssl.SslProtocol;
            await ssl.DisposeAsync();
            throw new MailTlsException($"TLS handshake with {targetHost} negotiated {protocol}, which is not allowed (TLS 1.2 or 1.3 only)");
        }

        return ssl;
    }

    private static void CheckSettings(TlsSettings settings)
    {
        if (settings.DangerouslyAcceptAnyServerCertificate)
        {
            return;
        }

        if (settings.TrustAnchors is { Count: 0 })
        {
            throw new MailTlsException("TLS settings are invalid: TrustAnchors is set but empty, so no server could ever be trusted");
        }

        if (settings.TrustAnchors is null && !settings.UseSystemTrust)
        {
            throw new MailTlsException("TLS settings are invalid: no TrustAnchors and UseSystemTrust is false, so no server could ever be trusted");
        }

        if (settings.ClientCertificate is { HasPrivateKey: false })
        {
            throw new MailTlsException("TLS settings are invalid: the client certificate has no private key");
        }
    }

    private static MailTlsException TranslateFailure(
        Exception ex, string host, string? rejection, bool timedOut, TimeSpan handshakeTimeout)
    {
        if (rejection is not null)
        {
            return new MailTlsException(rejection, ex);
        }

        if (timedOut && ex is OperationCanceledException or IOException)
        {
            return new MailTlsException(
                $"TLS handshake with {host} timed out after {MailConnection.FormatDuration(handshakeTimeout)}",
                new TimeoutException("TLS handshake timed out", ex));
        }

        if (ex is AuthenticationException)
        {
            // Typical causes: the server only speaks older protocols, or the port does not speak TLS at all
            // (implicit TLS against a STARTTLS port).
            return new MailTlsException(
                $"TLS handshake with {host} failed (only TLS 1.2 and 1.3 are offered; is this port speaking TLS?): {InnermostMessage(ex)}", ex);
        }

        if (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return new MailTlsException($"connection closed by the server during the TLS handshake with {host}: {InnermostMessage(ex)}", ex);
        }

        return new MailTlsException($"TLS handshake with {host} failed: {InnermostMessage(ex)}", ex);
    }

    private static string InnermostMessage(Exception ex)
    {
        var messages = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (!string.IsNullOrWhiteSpace(e.Message) && !messages.Contains(e.Message))
            {
                messages.Add(e.Message.Trim());
            }
        }

        return string.Join(" -> ", messages);
    }

    /// <summary>Explains in words why a server certificate was rejected.</summary>
    internal static string DescribeRejection(string host, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reasons.Add("the server presented no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            var names = certificate is null ? "(unknown)" : string.Join(", ", CertificateNames(certificate));
            reasons.Add($"host name mismatch: the certificate is for {names}, not for '{host}'");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            reasons.AddRange(DescribeChain(chain));
        }

        if (reasons.Count == 0)
        {
            reasons.Add($"policy errors {errors}");
        }

        return $"TLS: the server certificate of {host} was rejected: {string.Join("; ", reasons)}";
    }

    private static IEnumerable<string> DescribeChain(X509Chain? chain)
    {
        if (chain is null)
        {
            return ["the certificate chain could not be built"];
        }

        var reasons = new List<string>();
        var now = DateTime.Now;
        var elements = chain.ChainElements;
        for (var i = 0; i < elements.Count; i++)
        {
            var element = elements[i];
            var subject = element.Certificate.Subject;
            foreach (var status in element.ChainElementStatus)
            {
                var reason = status.Status switch
                {
                    X509ChainStatusFlags.NotTimeValid when element.Certificate.NotAfter < now =>
                        $"certificate '{subject}' expired on {element.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC",
                    X509ChainStatusFlags.NotTimeValid =>
                        $"certificate '{subject}' is not valid before {element.Certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC",
                    X509ChainStatusFlags.UntrustedRoot =>
                        $"untrusted root: the chain ends at '{subject}', which is not a trust anchor",
                    X509ChainStatusFlags.PartialChain =>
                        $"untrusted root: the issuer '{element.Certificate.Issuer}' of '{subject}' is not a trust anchor and was not found",
                    X509ChainStatusFlags.Revoked => $"certificate '{subject}' is revoked",
                    X509ChainStatusFlags.RevocationStatusUnknown or X509ChainStatusFlags.OfflineRevocation =>
                        $"the revocation status of '{subject}' could not be checked",
                    X509ChainStatusFlags.NotSignatureValid => $"the signature of '{subject}' is invalid",
                    X509ChainStatusFlags.NotValidForUsage => $"certificate '{subject}' is not valid for TLS server authentication",
                    X509ChainStatusFlags.InvalidBasicConstraints => $"certificate '{subject}' is used as a CA but is not one",
                    X509ChainStatusFlags.NoError => null,
                    _ => $"'{subject}': {status.StatusInformation.Trim()} ({status.Status})",
                };
                if (reason is not null && !reasons.Contains(reason))
                {
                    reasons.Add(reason);
                }
            }
        }

        if (reasons.Count == 0)
        {
            foreach (var status in chain.ChainStatus)
            {
                if (status.Status == X509ChainStatusFlags.PartialChain)
                {
                    reasons.Add("untrusted root: the chain does not lead to a trust anchor");
                }
                else if (status.Status != X509ChainStatusFlags.NoError)
                {
                    reasons.Add($"{status.StatusInformation.Trim()} ({status.Status})");
                }
            }
        }

        if (reasons.Count == 0)
        {
            reasons.Add("the certificate chain is invalid");
        }

        return reasons;
    }

    private static IEnumerable<string> CertificateNames(X509Certificate certificate)
    {
        var names = new List<string>();
        using var cert2 = new X509Certificate2(certificate);
        foreach (var extension in cert2.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames().Select(n => $"'{n}'"));
                names.AddRange(san.EnumerateIPAddresses().Select(a => $"'{a}'"));
            }
        }

        if (names.Count == 0)
        {
            names.Add($"'{cert2.GetNameInfo(X509NameType.DnsName, forIssuer: false)}'");
        }

        return names;
    }
}
