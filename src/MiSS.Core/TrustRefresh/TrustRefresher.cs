using System.Security.Cryptography;
using System.Text;
using MiSS.Core.Configuration;
using MiSS.Core.Secure;
using MiSS.Core.Trust;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MiSS.Core.TrustRefresh;

/// <summary>
/// Keeps the trust material current: the CAs' revocation lists (<c>MiSS:Trust:CrlUrls</c>) and the MSSanté white list
/// (<c>MiSS:TrustSpace:WhiteListUrl</c>). At start it puts the last good copies kept in <c>&lt;DataDirectory&gt;/trust/</c> in
/// place, before any download, so that an instance restarted offline still has the latest lists; then it downloads
/// every source at once and again every <c>MiSS:Trust:RefreshInterval</c> (on the injected clock). A source is taken
/// only when it verifies (a CRL by its CA's signature, current and not older than the one in place; the white list
/// well-formed and, with signers configured, signed by one of them) and is then kept on disk. Any failure leaves the
/// material in place, is recorded in <see cref="TrustRefreshStatus"/> and logged with its reason (never the content),
/// and the source is tried again at the next interval; it never stops the service.
/// </summary>
public sealed class TrustRefresher : BackgroundService
{
    const string WhiteListFile = "listeblanchemssante.xml";

    readonly SmimeTrust _smime;
    readonly TrustSpace _space;
    readonly TrustRefreshStatus _status;
    readonly TimeProvider _time;
    readonly ILogger<TrustRefresher> _log;
    readonly IReadOnlyList<Uri> _crlUrls;
    readonly Uri? _whiteListUrl;
    readonly TimeSpan _interval;
    readonly TrustDownloader _downloader;

    /// <summary>A refresher of the sources <paramref name="options"/> configure.</summary>
    public TrustRefresher(MissOptions options, SmimeTrust smime, TrustSpace space, TrustRefreshStatus status, TimeProvider time,
        ILogger<TrustRefresher> log)
    {
        _smime = smime;
        _space = space;
        _status = status;
        _time = time;
        _log = log;
        _crlUrls = options.Trust.CrlUrls.Select(url => TrustDownloader.ParseAddress(url, "MiSS:Trust:CrlUrls")).ToList();
        _whiteListUrl = string.IsNullOrWhiteSpace(options.TrustSpace.WhiteListUrl) ? null
            : TrustDownloader.ParseAddress(options.TrustSpace.WhiteListUrl, "MiSS:TrustSpace:WhiteListUrl");
        _interval = options.Trust.RefreshInterval > TimeSpan.Zero ? options.Trust.RefreshInterval
            : throw new InvalidOperationException("MiSS:Trust:RefreshInterval doit être positif");
        CacheDirectory = CacheDirectoryOf(options);
        _downloader = TrustDownloader.FromOptions(options, TimeSpan.FromSeconds(60));
    }

    static string CacheDirectoryOf(MissOptions options) => Path.Combine(options.DataDirectory, "trust");

    /// <summary>
    /// <paramref name="space"/> with the kept copy of the downloaded white list in place, when a white list URL is
    /// configured: for the command line, which does not run the refresher, and for the service before it starts. A
    /// copy that cannot be used (or is older than the list in place) is left aside; the refresher reports it at start.
    /// </summary>
    public static TrustSpace WithKeptWhiteList(TrustSpace space, MissOptions options)
    {
        var kept = Path.Combine(CacheDirectoryOf(options), WhiteListFile);
        if (!string.IsNullOrWhiteSpace(options.TrustSpace.WhiteListUrl) && File.Exists(kept))
        {
            try
            {
                space.Replace(WhiteList.Load(kept, space.Signers));
            }
            catch (WhiteListException)
            {
                // Reported with its reason by TrustRefresher.LoadKeptCopies, which tries the same file at start.
            }
        }
        return space;
    }

    /// <summary>Whether <paramref name="options"/> name any source to download.</summary>
    public static bool IsConfigured(MissOptions options) =>
        options.Trust.CrlUrls.Length > 0 || !string.IsNullOrWhiteSpace(options.TrustSpace.WhiteListUrl);

    /// <summary>Where the last good copies are kept.</summary>
    public string CacheDirectory { get; }

    /// <summary>The kept copy of the CRL downloaded from <paramref name="address"/>.</summary>
    public string CachePath(Uri address) =>
        Path.Combine(CacheDirectory, "crl-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address.AbsoluteUri)))[..16] + ".crl");

    /// <summary>The kept copy of the white list.</summary>
    public string WhiteListCachePath => Path.Combine(CacheDirectory, WhiteListFile);

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        LoadKeptCopies();
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Puts the last good copies in place (each verified again, as a download would be); a bad one is logged and skipped.</summary>
    public void LoadKeptCopies()
    {
        foreach (var address in _crlUrls.Where(a => File.Exists(CachePath(a))))
        {
            Apply(TrustSourceKind.RevocationList, address, () => TakeRevocationList(File.ReadAllBytes(CachePath(address))), recordSuccess: false);
        }
        if (_whiteListUrl is not null && File.Exists(WhiteListCachePath))
        {
            Apply(TrustSourceKind.WhiteList, _whiteListUrl, () => _space.Replace(WhiteList.Load(WhiteListCachePath, _space.Signers)), recordSuccess: false);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await RefreshAsync(stoppingToken);
            try
            {
                await Task.Delay(_interval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: every source downloaded, verified, taken and kept, or its failure recorded.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        foreach (var address in _crlUrls)
        {
            var data = await DownloadAsync(TrustSourceKind.RevocationList, address, ct);
            if (data is not null)
            {
                Apply(TrustSourceKind.RevocationList, address, () =>
                {
                    TakeRevocationList(data);
                    Keep(CachePath(address), data);
                });
            }
        }
        if (_whiteListUrl is { } listAddress && await DownloadAsync(TrustSourceKind.WhiteList, listAddress, ct) is { } list)
        {
            Apply(TrustSourceKind.WhiteList, listAddress, () =>
            {
                _space.Replace(WhiteList.Parse(new MemoryStream(list), TrustDownloader.Display(listAddress), _space.Signers));
                Keep(WhiteListCachePath, list);
            });
        }
        _status.RoundCompleted();
    }

    async Task<byte[]?> DownloadAsync(TrustSourceKind kind, Uri address, CancellationToken ct)
    {
        try
        {
            return await _downloader.GetAsync(address, ct);
        }
        catch (TrustDownloadException e)
        {
            Fail(kind, address, "téléchargement impossible : " + e.Message);
            return null;
        }
    }

    void TakeRevocationList(byte[] data)
    {
        RevocationList list;
        try
        {
            list = RevocationList.Load(data);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw new TrustMaterialException("ce n'est pas une liste de révocation lisible");
        }
        if (_smime.ReplaceRevocationLists([list]) is [var refusal, ..])
        {
            throw new TrustMaterialException(refusal);
        }
    }

    /// <summary>Runs one step of a source; whatever goes wrong is recorded and logged, never thrown to the host.</summary>
    void Apply(TrustSourceKind kind, Uri address, Action step, bool recordSuccess = true)
    {
        try
        {
            step();
            if (recordSuccess)
            {
                _status.Succeeded(kind, TrustDownloader.Display(address), _time.GetUtcNow());
                _log.LogInformation("Trust material refreshed: {Kind} from {Source}", kind, TrustDownloader.Display(address));
            }
        }
        catch (Exception e) when (e is TrustMaterialException or WhiteListException or IOException or UnauthorizedAccessException)
        {
            Fail(kind, address, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever else a hostile download provokes, the service goes on with the material it has.
            Fail(kind, address, $"erreur inattendue ({e.GetType().Name})");
        }
    }

    void Fail(TrustSourceKind kind, Uri address, string reason)
    {
        _status.Failed(kind, TrustDownloader.Display(address), _time.GetUtcNow(), reason);
        _log.LogWarning("Trust material not refreshed, the last good copy stays in place: {Kind} from {Source}: {Reason}", kind, TrustDownloader.Display(address), reason);
    }

    /// <summary>Writes a verified copy atomically: a crash mid-write leaves the previous copy whole.</summary>
    void Keep(string path, byte[] data)
    {
        Directory.CreateDirectory(CacheDirectory);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(data);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _downloader.Dispose();
        base.Dispose();
    }
}

/// <summary>Downloaded trust material that cannot be taken; the message is a French reason.</summary>
public sealed class TrustMaterialException(string message) : Exception(message);
