using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiSS.Core.Configuration;

namespace MiSS.Core.TrustRefresh;

/// <summary>
/// Downloads trust material over http or https. An HTTPS server's certificate must chain to the configured anchors
/// (never the system store) and name the host; TLS 1.2 or 1.3 only. Every download is size-capped and time-limited.
/// Plain http is allowed because what comes back is verified anyway (a CRL by its CA's signature, the white list by
/// its XML-DSig signature when signers are configured).
/// </summary>
public sealed class TrustDownloader : IDisposable
{
    /// <summary>Largest download taken by default: the national white list is about 4 MB, a CRL far less.</summary>
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
        _http = new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>Checks that <paramref name="address"/> is an absolute http or https URL; throws with a French reason otherwise.</summary>
    public static Uri ParseAddress(string address, string setting) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InvalidOperationException($"{setting} : « {address} » n'est pas une adresse http ou https");

    /// <summary>
    /// The body of <paramref name="address"/>, at most <paramref name="maxBytes"/> (<see cref="MaxBytes"/> by default);
    /// throws <see cref="TrustDownloadException"/> with a French reason on any failure.
    /// </summary>
    public async Task<byte[]> GetAsync(Uri address, CancellationToken ct, long maxBytes = MaxBytes)
    {
        using var copy = new MemoryStream();
        await DownloadAsync(address, copy, maxBytes, ct);
        return copy.ToArray();
    }

    /// <summary>
    /// Streams the body of <paramref name="address"/> into the file at <paramref name="path"/> (created or overwritten),
    /// at most <paramref name="maxBytes"/>, without holding it in memory: for large files such as the national directory.
    /// Throws <see cref="TrustDownloadException"/> with a French reason on any failure; the file is then incomplete.
    /// </summary>
    public async Task DownloadToFileAsync(Uri address, string path, long maxBytes, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await DownloadAsync(address, file, maxBytes, ct);
    }

    async Task DownloadAsync(Uri address, Stream destination, long maxBytes, CancellationToken ct)
    {
        // The client's own timeout stops at the headers of a streamed response: this one covers the body too.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_http.Timeout);
        try
        {
            using var response = await _http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new TrustDownloadException($"le serveur a répondu {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new TrustDownloadException($"réponse trop volumineuse ({response.Content.Headers.ContentLength} octets, {maxBytes} au plus)");
            }
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            await CopyCappedAsync(body, destination, maxBytes, deadline.Token,
                () => new TrustDownloadException($"réponse trop volumineuse (plus de {maxBytes} octets)"));
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
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TrustDownloadException($"délai dépassé ({_http.Timeout.TotalSeconds:0} s)", e);
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/>, throwing <paramref name="tooBig"/>() as soon as
    /// more than <paramref name="maxBytes"/> come (whatever a header or an archive declared).
    /// </summary>
    public static async Task CopyCappedAsync(Stream source, Stream destination, long maxBytes, CancellationToken ct, Func<Exception> tooBig)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw tooBig();
            }
            await destination.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }

    /// <summary>
    /// A downloader for <paramref name="options"/>: its HTTPS servers must chain to <c>MiSS:Trust:DownloadAnchorsPath</c>,
    /// else the S/MIME anchors (<c>MiSS:Trust:AnchorsPath</c>), never the system store; throws with a French reason when neither holds any.
    /// </summary>
    public static TrustDownloader FromOptions(MissOptions options, TimeSpan timeout)
    {
        var anchorsPath = string.IsNullOrWhiteSpace(options.Trust.DownloadAnchorsPath) ? options.Trust.AnchorsPath : options.Trust.DownloadAnchorsPath;
        var anchors = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(anchorsPath))
        {
            anchors.ImportFromPemFile(anchorsPath);
        }
        if (anchors.Count == 0)
        {
            throw new InvalidOperationException("aucune autorité pour vérifier les serveurs de téléchargement : renseigner MiSS:Trust:DownloadAnchorsPath " +
                "ou MiSS:Trust:AnchorsPath (le magasin du système n'est jamais utilisé)");
        }
        return new TrustDownloader(anchors, timeout);
    }

    /// <summary>The address as shown in logs and the status: without user information or query.</summary>
    public static string Display(Uri address) => new UriBuilder(address) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri.AbsoluteUri;

    static Exception Innermost(Exception e) => e is AuthenticationException || e.InnerException is null ? e : Innermost(e.InnerException);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>A download that failed; the message is a French reason, without any of the content.</summary>
public sealed class TrustDownloadException(string message, Exception? inner = null) : Exception(message, inner);
