using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.TrustRefresh;

/// <summary>
/// Downloads trust material over http or https. An HTTPS server's certificate must chain to the configured anchors
/// (never the system store) and name the host; TLS 1.2 or 1.3 only. Every download is size-capped and time-limited.
/// Plain http is allowed because what comes back is verified anyway (a CRL by its CA's signature, the white list by
/// its XML-DSig signature when signers are configured).
/// </summary>
public sealed class TrustDownloader : IDisposable
{
    /// <summary>Largest download taken: the national white list is about 4 MB, a CRL far less.</summary>
    public const long MaxBytes = 20L * 1024 * 1024;

    static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    readonly HttpClient _http;

    /// <summary>A downloader whose HTTPS servers must chain to <paramref name="anchors"/>, each download within <paramref name="timeout"/>.</summary>
    public TrustDownloader(X509Certificate2Collection anchors, TimeSpan timeout)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            // The revocation lists are what is being fetched: the TLS chain itself is checked without them.
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(anchors);
        policy.ApplicationPolicy.Add(ServerAuthentication);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            MaxAutomaticRedirections = 3,
            UseProxy = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateChainPolicy = policy,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None,
            },
        };
        _http = new HttpClient(handler) { Timeout = timeout, MaxResponseContentBufferSize = MaxBytes };
    }

    /// <summary>Checks that <paramref name="address"/> is an absolute http or https URL; throws with a French reason otherwise.</summary>
    public static Uri ParseAddress(string address, string setting) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InvalidOperationException($"{setting} : « {address} » n'est pas une adresse http ou https");

    /// <summary>The body of <paramref name="address"/>; throws <see cref="TrustDownloadException"/> with a French reason on any failure.</summary>
    public async Task<byte[]> GetAsync(Uri address, CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new TrustDownloadException($"le serveur a répondu {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            if (response.Content.Headers.ContentLength is > MaxBytes)
            {
                throw new TrustDownloadException($"réponse trop volumineuse ({response.Content.Headers.ContentLength} octets, {MaxBytes} au plus)");
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var copy = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                if (copy.Length + read > MaxBytes)
                {
                    throw new TrustDownloadException($"réponse trop volumineuse (plus de {MaxBytes} octets)");
                }
                copy.Write(buffer, 0, read);
            }
            return copy.ToArray();
        }
        catch (HttpRequestException e) when (Innermost(e) is AuthenticationException)
        {
            throw new TrustDownloadException("certificat TLS du serveur refusé : il ne remonte pas aux autorités configurées, " +
                "ne nomme pas le serveur ou n'est pas valide", e);
        }
        catch (HttpRequestException e)
        {
            throw new TrustDownloadException("serveur injoignable : " + Innermost(e).Message, e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TrustDownloadException($"délai dépassé ({_http.Timeout.TotalSeconds:0} s)", e);
        }
    }

    static Exception Innermost(Exception e) => e is AuthenticationException || e.InnerException is null ? e : Innermost(e.InnerException);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>A download that failed; the message is a French reason, without any of the content.</summary>
public sealed class TrustDownloadException(string message, Exception? inner = null) : Exception(message, inner);
