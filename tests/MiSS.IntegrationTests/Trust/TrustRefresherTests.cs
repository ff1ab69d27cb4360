using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Configuration;
using MiSS.Core.Secure;
using MiSS.Core.Tests;
using MiSS.Core.TrustRefresh;
using MiSS.DevEnvironment;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Trust;

/// <summary>
/// The trust material refresher against a real HTTPS server (Kestrel on 127.0.0.1, a certificate from a test CA):
/// a revoking CRL and a new white list are taken, garbage, errors, stale or unsigned material and an untrusted TLS
/// certificate leave the last good material in place with the error recorded, and a restart offline reads the kept copies.
/// </summary>
public class TrustRefresherTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    static readonly TimeSpan Interval = TimeSpan.FromHours(6);

    X509Certificate2 _webCa = null!;
    X509Certificate2 _serverCertificate = null!;
    X509Certificate2 _signer = null!;
    TrustMaterialServer _server = null!;
    DirectoryInfo _directory = null!;
    ManualClock _clock = null!;
    string _crlPath = "";
    string _listPath = "";

    static DevPki Pki => MailServerFixture.Pki;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        _webCa = TrustMaterialServer.CreateCa("AC TEST TELECHARGEMENTS");
        _serverCertificate = TrustMaterialServer.IssueServerCertificate(_webCa);
        _server = await TrustMaterialServer.StartAsync(_serverCertificate);
        _signer = Pki.IssueWhiteListSigner(DateTimeOffset.UtcNow);
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        await _server.DisposeAsync();
        _webCa.Dispose();
        _serverCertificate.Dispose();
        _signer.Dispose();
    }

    [SetUp]
    public void CreateDataDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("miss-refresh-");
        _clock = new ManualClock();
        var test = Guid.NewGuid().ToString("N");
        _crlPath = test + "/ac-personnes.crl";
        _listPath = test + "/listeblanchemssante.xml";
        File.WriteAllText(Path.Combine(_directory.FullName, "download-anchors.pem"), _webCa.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory.FullName, "signers.pem"), _signer.ExportCertificatePem());
    }

    [TearDown]
    public void DeleteDataDirectory() => _directory.Delete(recursive: true);

    MissOptions Options(TrustMaterialServer server) => new()
    {
        DataDirectory = Path.Combine(_directory.FullName, "data"),
        Trust = new TrustOptions
        {
            AnchorsPath = Pki.TrustAnchorsPath,
            IntermediatesPath = Pki.IntermediatesPath,
            DownloadAnchorsPath = Path.Combine(_directory.FullName, "download-anchors.pem"),
            CrlUrls = [server.At(_crlPath).AbsoluteUri],
            RefreshInterval = Interval,
        },
        TrustSpace = new TrustSpaceOptions
        {
            WhiteListUrl = server.At(_listPath).AbsoluteUri,
            WhiteListSignerPath = Path.Combine(_directory.FullName, "signers.pem"),
        },
    };

    /// <summary>The material at start: the PKI's root CRL and an empty persons CRL of two hours ago; the built-in white list.</summary>
    sealed record Material(SmimeTrust Smime, MiSS.Core.Trust.TrustSpace Space, TrustRefreshStatus Status, TrustRefresher Refresher) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Refresher.StopAsync(CancellationToken.None);
            Refresher.Dispose();
        }
    }

    Material Start(MissOptions options)
    {
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(Pki.TrustAnchorsPath);
        var intermediates = new X509Certificate2Collection();
        intermediates.ImportFromPemFile(Pki.IntermediatesPath);
        var smime = new SmimeTrust(anchors, intermediates, X509RevocationMode.Offline, _clock,
            [RevocationList.Load(File.ReadAllBytes(Pki.RootCrlPath)), RevocationList.Load(Pki.BuildPersonsCrl([], _clock.GetUtcNow().AddHours(-2)))]);
        var space = MiSS.Core.Trust.TrustSpace.From(options.TrustSpace);
        var status = new TrustRefreshStatus();
        return new Material(smime, space, status, new TrustRefresher(options, smime, space, status, _clock, NullLogger<TrustRefresher>.Instance));
    }

    byte[] SignedList(DateTimeOffset generatedAt, params string[] domains) =>
        Encoding.UTF8.GetBytes(DevWhiteList.Sign(DevWhiteList.Build(generatedAt, domains), _signer));

    X509Certificate2 Signer() => Pki.IssuePractitionerCertificate(Claire, _clock.GetUtcNow().AddDays(-1), _clock.GetUtcNow().AddYears(1));

    static Task RunAsync(Material m) => RefreshRounds.RunAsync(m.Refresher, m.Status);

    Task NextRoundAsync(Material m) => RefreshRounds.NextRoundAsync(m.Status, _clock, Interval);

    [Test]
    public async Task A_revoking_crl_served_over_https_makes_the_certificate_revoked_and_is_kept_on_disk()
    {
        using var signer = Signer();
        var revoking = Pki.BuildPersonsCrl([signer], _clock.GetUtcNow());
        _server.Serve(_crlPath, revoking);
        _server.Serve(_listPath, SignedList(_clock.GetUtcNow(), "medecin.mssante.fr"));
        await using var m = Start(Options(_server));
        Assert.That(m.Smime.Check(signer), Is.Null, "not revoked before the refresh");

        await RunAsync(m);
        Assert.That(m.Smime.Check(signer)?.Status, Is.EqualTo(OpenStatus.SignerRevoked));
        var state = m.Status.Of(_server.At(_crlPath).AbsoluteUri);
        Assert.That(state?.LastSuccess, Is.EqualTo(_clock.GetUtcNow()));
        Assert.That(state?.LastError, Is.Null);
        Assert.That(File.ReadAllBytes(m.Refresher.CachePath(_server.At(_crlPath))), Is.EqualTo(revoking));
        Assert.That(Directory.GetFiles(m.Refresher.CacheDirectory, "*.tmp"), Is.Empty, "written atomically, no temporary left");
    }

    [Test]
    public async Task A_new_white_list_served_at_the_next_interval_adds_its_domain()
    {
        var generated = _clock.GetUtcNow();
        _server.Serve(_crlPath, Pki.BuildPersonsCrl([], generated));
        _server.Serve(_listPath, SignedList(generated, "medecin.mssante.fr"));
        await using var m = Start(Options(_server));
        Assert.That(m.Space.Allows("dr.x@medecin.mssante.fr"), Is.False, "the built-in development list at start");

        await RunAsync(m);
        Assert.That(m.Space.Allows("dr.x@medecin.mssante.fr"), Is.True);
        Assert.That(m.Space.Allows("dr.y@ch-nouveau.mssante.fr"), Is.False);

        _server.Serve(_listPath, SignedList(generated.AddHours(1), "medecin.mssante.fr", "ch-nouveau.mssante.fr"));
        var before = _clock.GetUtcNow();
        await NextRoundAsync(m);

        Assert.That(m.Space.Allows("dr.y@ch-nouveau.mssante.fr"), Is.True);
        // The round's own time: the clock may have been moved once more while the round was finishing.
        Assert.That(m.Status.Of(_server.At(_listPath).AbsoluteUri)?.LastSuccess, Is.GreaterThan(before).And.LessThanOrEqualTo(_clock.GetUtcNow()));
    }

    [TestCase("garbage", "ce n'est pas une liste de révocation lisible", "mal formée")]
    [TestCase("500", "500", "500")]
    [TestCase("stale-or-unsigned", "périmée", "signature XML-DSig absente")]
    [TestCase("older", "plus ancienne", "plus ancienne")]
    public async Task Bad_material_keeps_the_last_good_in_place_and_records_the_error(string failure, string crlReason, string listReason)
    {
        using var signer = Signer();
        var generated = _clock.GetUtcNow();
        _server.Serve(_crlPath, Pki.BuildPersonsCrl([signer], generated));
        _server.Serve(_listPath, SignedList(generated, "medecin.mssante.fr"));
        await using var m = Start(Options(_server));
        await RunAsync(m);
        var crl = _server.At(_crlPath).AbsoluteUri;
        var list = _server.At(_listPath).AbsoluteUri;
        var goodAt = m.Status.Of(crl)!.LastSuccess;
        var keptList = File.ReadAllBytes(m.Refresher.WhiteListCachePath);
        switch (failure)
        {
            case "garbage":
                _server.Serve(_crlPath, "<html>pas une LCR</html>"u8.ToArray());
                _server.Serve(_listPath, "<ListeBlancheMSSante xmlns=\"https://listeblanche.mssante.fr/schema\"><ListeDomaines>"u8.ToArray());
                break;
            case "500":
                _server.Fail(_crlPath, 500);
                _server.Fail(_listPath, 500);
                break;
            case "stale-or-unsigned":
                _server.Serve(_crlPath, Pki.BuildPersonsCrl([], generated.AddDays(-40), TimeSpan.FromDays(30)));
                _server.Serve(_listPath, Encoding.UTF8.GetBytes(DevWhiteList.Build(generated.AddHours(1), "medecin.mssante.fr", "intrus.example.com")));
                break;
            case "older":
                _server.Serve(_crlPath, Pki.BuildPersonsCrl([], generated.AddHours(-1)));
                _server.Serve(_listPath, SignedList(generated.AddDays(-1), "ancien.mssante.fr"));
                break;
        }

        await NextRoundAsync(m);

        Assert.That(m.Smime.Check(signer)?.Status, Is.EqualTo(OpenStatus.SignerRevoked), "the last good CRL stays");
        Assert.That(m.Space.Allows("dr.x@medecin.mssante.fr"), Is.True, "the last good list stays");
        Assert.That(m.Space.Allows("x@intrus.example.com") || m.Space.Allows("x@ancien.mssante.fr"), Is.False);
        Assert.That(m.Status.Of(crl)?.LastError, Does.Contain(crlReason));
        Assert.That(m.Status.Of(list)?.LastError, Does.Contain(listReason));
        Assert.That(m.Status.Of(crl)?.LastSuccess, Is.EqualTo(goodAt), "the time of the last good download is kept");
        Assert.That(File.ReadAllBytes(m.Refresher.WhiteListCachePath), Is.EqualTo(keptList), "the kept copy is not overwritten");

        // The source recovers: the next good download clears the error.
        _server.Serve(_crlPath, Pki.BuildPersonsCrl([signer], _clock.GetUtcNow()));
        _server.Serve(_listPath, SignedList(generated.AddHours(2), "medecin.mssante.fr"));
        await NextRoundAsync(m);
        Assert.That(m.Status.Sources.Select(s => s.LastError), Is.All.Null);
    }

    [Test]
    public async Task A_server_certificate_from_an_untrusted_ca_is_refused_and_nothing_is_taken()
    {
        using var otherCa = TrustMaterialServer.CreateCa("AC TEST NON CONFIGUREE");
        using var otherCertificate = TrustMaterialServer.IssueServerCertificate(otherCa);
        await using var untrusted = await TrustMaterialServer.StartAsync(otherCertificate);
        using var signer = Signer();
        untrusted.Serve(_crlPath, Pki.BuildPersonsCrl([signer], _clock.GetUtcNow()));
        untrusted.Serve(_listPath, SignedList(_clock.GetUtcNow(), "medecin.mssante.fr"));
        await using var m = Start(Options(untrusted));

        await RunAsync(m);
        Assert.That(m.Smime.Check(signer), Is.Null, "the CRL behind the untrusted certificate is not taken");
        Assert.That(m.Space.Allows("dr.x@medecin.mssante.fr"), Is.False);
        Assert.That(m.Status.Sources, Has.Count.EqualTo(2));
        Assert.That(m.Status.Sources.Select(s => s.LastError), Is.All.Contains("certificat TLS du serveur refusé"));
        Assert.That(m.Status.Sources.Select(s => s.LastSuccess), Is.All.Null);
        Assert.That(untrusted.Requests, Is.Zero, "no request is sent over a connection that failed verification");
    }

    [Test]
    public async Task A_running_instance_shows_each_source_with_its_last_success_and_error_in_api_status()
    {
        _server.Serve(_crlPath, Pki.BuildPersonsCrl([], DateTimeOffset.UtcNow));
        _server.Fail(_listPath, 500);
        var options = MissInstance.OptionsFor(Claire);
        var refresh = Options(_server);
        options.Trust.CrlUrls = refresh.Trust.CrlUrls;
        options.Trust.DownloadAnchorsPath = refresh.Trust.DownloadAnchorsPath;
        options.TrustSpace = refresh.TrustSpace;
        await using var claire = await MissInstance.StartAsync(Claire, options);
        using var api = claire.Api();

        var sources = await TestWait.ForAsync(async () =>
        {
            var status = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync("/api/status"))!;
            var all = status["trustSources"]!.AsArray();
            return all.Count == 2 && all.All(s => s!["lastAttempt"] is not null) ? all : null;
        }, Patience, "both sources attempted in /api/status");

        var crl = sources.Single(s => (string?)s!["kind"] == "crl")!;
        var list = sources.Single(s => (string?)s!["kind"] == "white-list")!;
        Assert.That((string?)crl["source"], Is.EqualTo(_server.At(_crlPath).AbsoluteUri));
        Assert.That(crl["lastSuccess"], Is.Not.Null);
        Assert.That(crl["lastError"], Is.Null);
        Assert.That((string?)list["source"], Is.EqualTo(_server.At(_listPath).AbsoluteUri));
        Assert.That(list["lastSuccess"], Is.Null);
        Assert.That((string?)list["lastError"], Does.Contain("500"));
    }

    [Test]
    public async Task A_restart_offline_puts_the_last_good_copies_in_place_before_any_download()
    {
        using var signer = Signer();
        var own = TrustMaterialServer.IssueServerCertificate(_webCa);
        var server = await TrustMaterialServer.StartAsync(own);
        server.Serve(_crlPath, Pki.BuildPersonsCrl([signer], _clock.GetUtcNow()));
        server.Serve(_listPath, SignedList(_clock.GetUtcNow(), "medecin.mssante.fr"));
        var options = Options(server);
        var first = Start(options);
        await RunAsync(first);
        await first.DisposeAsync();
        await server.DisposeAsync(); // offline from now on
        own.Dispose();

        await using var restarted = Start(options);
        Assert.That(restarted.Smime.Check(signer), Is.Null, "a fresh start knows nothing yet");
        await restarted.Refresher.StartAsync(CancellationToken.None);
        // Right after start, before the (failing) download round has a chance to matter.
        Assert.That(restarted.Smime.Check(signer)?.Status, Is.EqualTo(OpenStatus.SignerRevoked));
        Assert.That(restarted.Space.Allows("dr.x@medecin.mssante.fr"), Is.True);

        await TestWait.ForAsync(() => Task.FromResult(restarted.Status.Rounds >= 1 ? restarted.Status : null), Patience, "the offline round");
        Assert.That(restarted.Status.Sources.Select(s => s.LastError), Is.All.Contains("téléchargement impossible"));
        Assert.That(restarted.Smime.Check(signer)?.Status, Is.EqualTo(OpenStatus.SignerRevoked), "still in place after the failed round");
        Assert.That(restarted.Space.Allows("dr.x@medecin.mssante.fr"), Is.True);
    }
}
