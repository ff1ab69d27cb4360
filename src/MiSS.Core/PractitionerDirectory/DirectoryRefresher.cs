using System.IO.Compression;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MiSS.Core.Configuration;
using MiSS.Core.Storage;
using MiSS.Core.TrustRefresh;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>
/// Keeps the national directory current without anyone running <c>miss directory import</c>: downloads the MSSanté
/// extraction (<c>MiSS:Directory:ExtractionUrl</c>, a .txt or a .zip of one .txt) and the Annuaire Santé FHIR bundle
/// (<c>MiSS:Directory:FhirUrl</c>) at start and every <c>MiSS:Directory:RefreshInterval</c> (on the injected clock),
/// through the verified <see cref="TrustDownloader"/>, streamed to a temporary file (capped at
/// <c>MiSS:Directory:MaxDownloadBytes</c>), and imports each as a snapshot that replaces that source's mailboxes in one
/// transaction: searches see the previous directory until the commit. A download or import that fails, or whose result
/// is implausible (more than half its rows refused, or no mailbox when the source had some), leaves the previous
/// directory, is recorded in <see cref="TrustRefreshStatus"/> (kind <see cref="TrustSourceKind.Directory"/>) and logged
/// with its reason (never the content), and is tried again at the next interval; it never stops the service.
/// </summary>
public sealed class DirectoryRefresher : BackgroundService
{
    static readonly TimeSpan DownloadTimeout = TimeSpan.FromMinutes(10);

    readonly DirectoryStore _store;
    readonly MessageStore _certificates;
    readonly TrustRefreshStatus _status;
    readonly TimeProvider _time;
    readonly ILogger<DirectoryRefresher> _log;
    readonly Uri? _extractionUrl;
    readonly Uri? _fhirUrl;
    readonly TimeSpan _interval;
    readonly long _maxBytes;
    readonly string _workDirectory;
    readonly TrustDownloader _downloader;

    /// <summary>A refresher of the sources <paramref name="options"/> configure; the FHIR bundle's certificates go to <paramref name="certificates"/>.</summary>
    public DirectoryRefresher(MissOptions options, DirectoryStore store, MessageStore certificates, TrustRefreshStatus status, TimeProvider time,
        ILogger<DirectoryRefresher> log)
    {
        _store = store;
        _certificates = certificates;
        _status = status;
        _time = time;
        _log = log;
        var settings = options.Directory;
        _extractionUrl = string.IsNullOrWhiteSpace(settings.ExtractionUrl) ? null
            : TrustDownloader.ParseAddress(settings.ExtractionUrl, "MiSS:Directory:ExtractionUrl");
        _fhirUrl = string.IsNullOrWhiteSpace(settings.FhirUrl) ? null : TrustDownloader.ParseAddress(settings.FhirUrl, "MiSS:Directory:FhirUrl");
        _interval = settings.RefreshInterval > TimeSpan.Zero ? settings.RefreshInterval
            : throw new InvalidOperationException("MiSS:Directory:RefreshInterval doit être positif");
        _maxBytes = settings.MaxDownloadBytes > 0 ? settings.MaxDownloadBytes
            : throw new InvalidOperationException("MiSS:Directory:MaxDownloadBytes doit être positif");
        _workDirectory = Path.Combine(options.DataDirectory, "directory-download");
        _downloader = TrustDownloader.FromOptions(options, DownloadTimeout);
    }

    /// <summary>Whether <paramref name="options"/> name a directory to download.</summary>
    public static bool IsConfigured(MissOptions options) =>
        !string.IsNullOrWhiteSpace(options.Directory.ExtractionUrl) || !string.IsNullOrWhiteSpace(options.Directory.FhirUrl);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
                await Task.Delay(_interval, _time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One round: each configured source downloaded and imported, or its failure recorded.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        if (_extractionUrl is { } extraction)
        {
            await RefreshSourceAsync(extraction, MssanteExtractionImporter.Source, async (path, check) =>
            {
                await using var text = await ExtractionTextAsync(path, ct);
                return await new MssanteExtractionImporter(_store).ImportAsync(text, ct: ct, check: check);
            }, ct);
        }
        if (_fhirUrl is { } fhir)
        {
            await RefreshSourceAsync(fhir, AnnuaireFhirImporter.Source, async (path, check) =>
            {
                await using var bundle = File.OpenRead(path);
                return await new AnnuaireFhirImporter(_store, _certificates).ImportAsync(bundle, ct: ct, replace: true, check: check);
            }, ct);
        }
        _status.RoundCompleted();
    }

    /// <summary>Downloads <paramref name="address"/> to a temporary file and imports it; whatever goes wrong is recorded, never thrown to the host.</summary>
    async Task RefreshSourceAsync(Uri address, string source, Func<string, DirectoryImportCheck, Task<DirectoryImportResult>> import, CancellationToken ct)
    {
        var download = Path.Combine(_workDirectory, source + ".download");
        try
        {
            Directory.CreateDirectory(_workDirectory);
            try
            {
                await _downloader.DownloadToFileAsync(address, download, _maxBytes, ct);
            }
            catch (TrustDownloadException e)
            {
                throw new InvalidDataException("téléchargement impossible : " + e.Message, e);
            }
            var before = await _store.CountAsync(source, ct);
            var result = await import(download, result => Implausible(result, before));
            _status.Succeeded(TrustSourceKind.Directory, TrustDownloader.Display(address), _time.GetUtcNow());
            _log.LogInformation("Directory refreshed from {Source}: {Imported} mailboxes ({Previous} before), {Rejected} rows refused, {Certificates} certificates",
                TrustDownloader.Display(address), result.Imported, before, result.Rejected.Count, result.Certificates);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or SqliteException or JsonException)
        {
            Fail(address, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whatever else a hostile download provokes, the service goes on with the directory it has.
            Fail(address, $"erreur inattendue ({e.GetType().Name})");
        }
        finally
        {
            DeleteQuietly(download);
            DeleteQuietly(download + ".txt");
        }
    }

    /// <summary>The refusal of an import that does not look like the directory: the previous one is kept rather than emptied.</summary>
    static string? Implausible(DirectoryImportResult result, long before)
    {
        var rows = result.Imported + result.Duplicates + result.Rejected.Count;
        if (result.Rejected.Count * 2L > rows)
        {
            return $"fichier invraisemblable : {result.Rejected.Count} lignes refusées sur {rows} (la première : {result.Rejected[0].Reason})";
        }
        if (result.Imported == 0 && before > 0)
        {
            return $"fichier invraisemblable : aucune boîte alors que l'annuaire en compte {before}";
        }
        return null;
    }

    /// <summary>
    /// The extraction's text: the file itself, or the single entry of a .zip (recognised by its signature) unpacked next to
    /// it within the size cap, whatever the archive declares: several entries or a larger entry are refused (zip bombs).
    /// </summary>
    async Task<Stream> ExtractionTextAsync(string path, CancellationToken ct)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var signature = new byte[4];
        var read = await file.ReadAtLeastAsync(signature, 4, throwOnEndOfStream: false, ct);
        if (read < 4 || !signature.AsSpan().SequenceEqual("PK\u0003\u0004"u8))
        {
            file.Position = 0;
            return file;
        }
        await using (file)
        {
            ZipArchive archive;
            try
            {
                archive = new ZipArchive(file, ZipArchiveMode.Read);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException("archive zip illisible : " + e.Message, e);
            }
            using (archive)
            {
                if (archive.Entries.Count != 1)
                {
                    throw new InvalidDataException($"archive zip refusée : {archive.Entries.Count} fichiers au lieu d'un seul");
                }
                var entry = archive.Entries[0];
                if (entry.Length > _maxBytes)
                {
                    throw new InvalidDataException($"archive zip refusée : « {entry.Name} » fait {entry.Length} octets décompressé ({_maxBytes} au plus)");
                }
                var text = path + ".txt";
                await using (var source = entry.Open())
                await using (var target = new FileStream(text, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                {
                    await TrustDownloader.CopyCappedAsync(source, target, _maxBytes, ct,
                        () => new InvalidDataException($"archive zip refusée : « {entry.Name} » dépasse {_maxBytes} octets décompressé"));
                }
                return new FileStream(text, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            }
        }
    }

    void Fail(Uri address, string reason)
    {
        _status.Failed(TrustSourceKind.Directory, TrustDownloader.Display(address), _time.GetUtcNow(), reason);
        _log.LogWarning("Directory not refreshed, the previous directory stays in place: {Source}: {Reason}", TrustDownloader.Display(address), reason);
    }

    static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temporary file is overwritten by the next round.
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _downloader.Dispose();
        base.Dispose();
    }
}
