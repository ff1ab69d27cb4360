using System.IO.Compression;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Configuration;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Storage;
using MiSS.Core.Tests;
using MiSS.Core.TrustRefresh;
using static MiSS.Core.Tests.PractitionerDirectory.AnnuaireBundles;
using static MiSS.Core.Tests.PractitionerDirectory.ExtractionRows;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Trust;

/// <summary>
/// The national directory kept current by <see cref="DirectoryRefresher"/> against a real HTTPS server (Kestrel on
/// 127.0.0.1, a certificate from a test CA) and a real SQLite store: an extraction (plain or zipped) is imported at start
/// and replaced by the next one at the next interval; a FHIR bundle's certificate is kept; an HTTP error, garbage, a
/// two-file or oversized archive, a mostly refused file and an untrusted TLS certificate keep the previous directory
/// with the error recorded.
/// </summary>
public class DirectoryRefresherTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    static readonly TimeSpan Interval = TimeSpan.FromHours(24);

    static readonly string Claire1 = Row("PER", "claire.martin@medecin.mssante.fr", "MARTIN", "Claire");
    static readonly string Paul = Row("PER", "paul.durand@medecin.mssante.fr", "DURAND", "Paul", rpps: "10101234606");
    static readonly string Ines = Row("PER", "ines.roux@infirmier.mssante.fr", "ROUX", "Inès", profession: "Infirmier", rpps: "10101234614");
    static readonly string Cabinet = Row("CAB", "cabinet.dupont@pro.mssante.fr", "DUPONT", "Jean-Marie", rpps: "10101234622");

    System.Security.Cryptography.X509Certificates.X509Certificate2 _webCa = null!;
    System.Security.Cryptography.X509Certificates.X509Certificate2 _serverCertificate = null!;
    TrustMaterialServer _server = null!;
    DirectoryInfo _directory = null!;
    ManualClock _clock = null!;
    string _path = "";

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        _webCa = TrustMaterialServer.CreateCa("AC TEST ANNUAIRE");
        _serverCertificate = TrustMaterialServer.IssueServerCertificate(_webCa);
        _server = await TrustMaterialServer.StartAsync(_serverCertificate);
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        await _server.DisposeAsync();
        _webCa.Dispose();
        _serverCertificate.Dispose();
    }

    [SetUp]
    public void CreateDataDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("miss-directory-refresh-");
        _clock = new ManualClock();
        _path = Guid.NewGuid().ToString("N") + "/Extraction_Correspondance_MSSante";
        File.WriteAllText(Path.Combine(_directory.FullName, "download-anchors.pem"), _webCa.ExportCertificatePem());
    }

    [TearDown]
    public void DeleteDataDirectory()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    MissOptions Options(TrustMaterialServer server, bool fhir = false) => new()
    {
        DataDirectory = Path.Combine(_directory.FullName, "data"),
        Trust = new TrustOptions
        {
            AnchorsPath = MailServerFixture.Pki.TrustAnchorsPath,
            DownloadAnchorsPath = Path.Combine(_directory.FullName, "download-anchors.pem"),
        },
        Directory = new DirectoryOptions
        {
            ExtractionUrl = fhir ? null : server.At(_path).AbsoluteUri,
            FhirUrl = fhir ? server.At(_path).AbsoluteUri : null,
            RefreshInterval = Interval,
        },
    };

    /// <summary>A refresher on its own store; the store stays open for the assertions after the refresher stops.</summary>
    sealed record Refresh(DirectoryStore Store, MessageStore Messages, TrustRefreshStatus Status, DirectoryRefresher Refresher) : IAsyncDisposable
    {
        public TrustSourceState Source => Status.Sources.Single();

        public async ValueTask DisposeAsync()
        {
            await Refresher.StopAsync(CancellationToken.None);
            Refresher.Dispose();
        }
    }

    Refresh Start(MissOptions options)
    {
        Directory.CreateDirectory(options.DataDirectory);
        var database = StoreDatabase.Open(options.StorePath);
        var store = DirectoryStore.Open(options.DirectoryPath);
        var messages = new MessageStore(database, BlobStore.Open(options.DataDirectory), _clock);
        var status = new TrustRefreshStatus();
        return new Refresh(store, messages, status, new DirectoryRefresher(options, store, messages, status, _clock, NullLogger<DirectoryRefresher>.Instance));
    }

    static Task RunAsync(Refresh r) => RefreshRounds.RunAsync(r.Refresher, r.Status);

    Task NextRoundAsync(Refresh r) => RefreshRounds.NextRoundAsync(r.Status, _clock, Interval);

    static async Task<string[]> AddressesAsync(Refresh r, string query) => [.. (await r.Store.SearchAsync(query)).Select(e => e.Address)];

    static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write(content);
            }
        }
        return buffer.ToArray();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task An_extraction_is_imported_at_start_and_the_next_one_replaces_it_at_the_next_interval(bool zipped)
    {
        byte[] Served(params string[] rows) => zipped ? Zip(("Extraction_Correspondance_MSSante.txt", Extraction(rows))) : Extraction(rows);
        _server.Serve(_path, Served(Claire1, Paul, Cabinet));
        await using var r = Start(Options(_server));

        await RunAsync(r);
        Assert.That(r.Source.LastError, Is.Null);
        Assert.That(r.Source.Kind, Is.EqualTo(TrustSourceKind.Directory));
        Assert.That(r.Source.LastSuccess, Is.EqualTo(_clock.GetUtcNow()));
        Assert.That(await AddressesAsync(r, "durand"), Is.EqualTo(new[] { "paul.durand@medecin.mssante.fr" }));
        Assert.That(await AddressesAsync(r, "roux"), Is.Empty);

        var firstSuccess = r.Source.LastSuccess!.Value;
        _server.Serve(_path, Served(Claire1, Ines, Cabinet));
        await NextRoundAsync(r);
        Assert.That(r.Source.LastError, Is.Null);
        Assert.That(r.Source.LastSuccess, Is.GreaterThan(firstSuccess));
        Assert.That(await AddressesAsync(r, "roux"), Is.EqualTo(new[] { "ines.roux@infirmier.mssante.fr" }), "the added mailbox is found");
        Assert.That(await AddressesAsync(r, "durand"), Is.Empty, "the removed mailbox is gone");
        Assert.That(await r.Store.CountAsync(), Is.EqualTo(3));
        Assert.That(Directory.EnumerateFiles(Path.Combine(_directory.FullName, "data", "directory-download")), Is.Empty, "no temporary file left");
    }

    [Test]
    public async Task A_fhir_bundle_whose_practitioner_carries_a_certificate_has_it_kept_from_the_directory()
    {
        using var certificate = MailServerFixture.Pki.LoadPractitioner(Julien);
        _server.Serve(_path, Encoding.UTF8.GetBytes(Bundle(
            Practitioner(Julien, "julien", Mailbox(Julien.Address), extension: Certificate(Base64Der(certificate), certificate)))));
        await using var r = Start(Options(_server, fhir: true));

        await RunAsync(r);
        Assert.That(r.Source.LastError, Is.Null);
        Assert.That(await AddressesAsync(r, Julien.Address), Is.EqualTo(new[] { Julien.Address }));
        var kept = await r.Messages.ListCertificatesAsync(Julien.Address);
        Assert.That(kept.Select(k => (k.Certificate.Thumbprint, k.Source)),
            Is.EqualTo(new[] { (certificate.Thumbprint, AnnuaireFhirImporter.CertificateSource) }));
    }

    /// <summary>What the server answers in the failing round, and the reason the status must give.</summary>
    public static IEnumerable<TestCaseData> Failures()
    {
        yield return new TestCaseData("500", "le serveur a répondu 500").SetName("An HTTP 500 keeps the previous directory");
        yield return new TestCaseData("garbage", "en-tête inattendu").SetName("Garbage keeps the previous directory");
        yield return new TestCaseData("empty", "fichier vide").SetName("An empty file keeps the previous directory");
        yield return new TestCaseData("header-only", "aucune boîte alors que l'annuaire en compte 3").SetName("A file without rows keeps the previous directory");
        yield return new TestCaseData("zip-two", "2 fichiers au lieu d'un seul").SetName("A zip with two entries keeps the previous directory");
        yield return new TestCaseData("zip-bomb", "archive zip refusée").SetName("A zip whose entry exceeds the cap keeps the previous directory");
        yield return new TestCaseData("mostly-rejected", "fichier invraisemblable : 3 lignes refusées sur 4")
            .SetName("A mostly refused file keeps the previous directory");
    }

    [TestCaseSource(nameof(Failures))]
    public async Task A_failed_refresh_keeps_the_previous_directory_and_records_the_error(string answer, string reason)
    {
        _server.Serve(_path, Extraction(Claire1, Paul, Cabinet));
        var options = Options(_server);
        options.Directory.MaxDownloadBytes = 64 * 1024;
        await using var r = Start(options);
        await RunAsync(r);
        var firstSuccess = r.Source.LastSuccess ?? throw new AssertionException("the first extraction was not taken: " + r.Source.LastError);

        var broken = Row("PER", "sans-arobase", "X", "Y");
        switch (answer)
        {
            case "500": _server.Fail(_path, 500); break;
            case "garbage": _server.Serve(_path, "\u0000\u0001ceci n'est pas une extraction\n"u8.ToArray()); break;
            case "empty": _server.Serve(_path, []); break;
            case "header-only": _server.Serve(_path, Extraction()); break;
            case "zip-two": _server.Serve(_path, Zip(("a.txt", Extraction(Ines)), ("b.txt", Extraction(Ines)))); break;
            // Compresses to a few hundred bytes, unpacks beyond the 64 KiB cap.
            case "zip-bomb": _server.Serve(_path, Zip(("a.txt", Extraction([.. Enumerable.Repeat(Ines, 1000)])))); break;
            case "mostly-rejected": _server.Serve(_path, Extraction(Ines, broken, broken, broken)); break;
        }
        await NextRoundAsync(r);

        Assert.That(r.Source.LastError, Does.Contain(reason));
        Assert.That(r.Source.LastAttempt, Is.GreaterThan(firstSuccess));
        Assert.That(r.Source.LastSuccess, Is.EqualTo(firstSuccess));
        Assert.That(await AddressesAsync(r, "durand"), Is.EqualTo(new[] { "paul.durand@medecin.mssante.fr" }), "the previous directory stays");
        Assert.That(await AddressesAsync(r, "roux"), Is.Empty, "nothing of the refused file is taken");
        Assert.That(await r.Store.CountAsync(), Is.EqualTo(3));

        _server.Serve(_path, Extraction(Claire1, Ines));
        await NextRoundAsync(r);
        Assert.That(r.Source.LastError, Is.Null, "cleared by the next good download");
        Assert.That(await AddressesAsync(r, "roux"), Is.EqualTo(new[] { "ines.roux@infirmier.mssante.fr" }));
    }

    [Test]
    public async Task A_server_certificate_from_an_untrusted_ca_is_refused_before_any_request_and_the_directory_stays()
    {
        using var otherCa = TrustMaterialServer.CreateCa("AC TEST NON CONFIGUREE");
        using var otherCertificate = TrustMaterialServer.IssueServerCertificate(otherCa);
        await using var untrusted = await TrustMaterialServer.StartAsync(otherCertificate);
        untrusted.Serve(_path, Extraction(Ines));
        await using var r = Start(Options(untrusted));
        await new MssanteExtractionImporter(r.Store).ImportAsync(new MemoryStream(Extraction(Claire1, Paul)));

        await RunAsync(r);
        Assert.That(r.Source.LastError, Does.Contain("certificat TLS du serveur refusé"));
        Assert.That(r.Source.LastSuccess, Is.Null);
        Assert.That(untrusted.Requests, Is.Zero, "no request is sent over a connection that failed verification");
        Assert.That(await AddressesAsync(r, "durand"), Is.EqualTo(new[] { "paul.durand@medecin.mssante.fr" }));
        Assert.That(await AddressesAsync(r, "roux"), Is.Empty);
    }

    [Test]
    public async Task A_running_instance_shows_the_directory_source_in_api_status()
    {
        _server.Fail(_path, 503);
        var options = MissInstance.OptionsFor(Claire);
        options.Trust.DownloadAnchorsPath = Path.Combine(_directory.FullName, "download-anchors.pem");
        options.Directory.ExtractionUrl = _server.At(_path).AbsoluteUri;
        await using var claire = await MissInstance.StartAsync(Claire, options);
        using var api = claire.Api();

        var source = await TestWait.ForAsync(async () =>
        {
            var status = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync("/api/status"))!;
            return status["trustSources"]!.AsArray().SingleOrDefault(s => (string?)s!["kind"] == "directory" && s["lastAttempt"] is not null);
        }, Patience, "the directory source attempted in /api/status");

        Assert.That((string?)source!["source"], Is.EqualTo(_server.At(_path).AbsoluteUri));
        Assert.That(source["lastSuccess"], Is.Null);
        Assert.That((string?)source["lastError"], Does.Contain("503"));
    }
}
