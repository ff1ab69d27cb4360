using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MiSS.Core.Audit;
using MiSS.Core.Secure;
using static MiSS.IntegrationTests.Api.ApiTests;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Api;

/// <summary>The quarantine through the local API of a real instance, fed hostile and unsigned mail through the real server.</summary>
public class QuarantineApiTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    MissInstance _sophie = null!;
    HttpClient _api = null!;
    byte[] _malformed = [];
    byte[] _unsigned = [];
    string _unsignedId = "";
    readonly string _bodyMarker = "CORPS-" + Guid.NewGuid().ToString("N");

    [OneTimeSetUp]
    public async Task DeliverAsync()
    {
        await MailServerFixture.EmptyInboxesAsync();
        _sophie = await MissInstance.StartAsync(Sophie);
        _api = _sophie.Api();
        await _sophie.WaitUntilIdleAsync(Patience);
        // More header fields than the MIME reader accepts: unreadable.
        _malformed = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 1001).Select(i => $"X-H{i}: v\r\n")) + "\r\nrien\r\n");
        _unsignedId = $"clair-{Guid.NewGuid():N}@labo.test";
        _unsigned = Encoding.ASCII.GetBytes(
            $"From: =?utf-8?Q?Laboratoire_Aur=C3=A9lie?= <labo@labo.test>\r\nTo: {Sophie.Address}\r\n" +
            $"Subject: =?utf-8?Q?R=C3=A9sultats_d=27analyse?=\r\nDate: Tue, 03 Jun 2025 10:15:00 +0200\r\nMessage-ID: <{_unsignedId}>\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
            $"--b\r\nContent-Type: text/plain\r\n\r\n{_bodyMarker}\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\nxx\r\n--b--\r\n");
        await MailServerFixture.Server.DeliverRawAsync(Sophie.Address, _malformed);
        await MailServerFixture.Server.DeliverRawAsync(Sophie.Address, _unsigned);
        await TestWait.ForAsync(async () => (await _sophie.Store.ListQuarantineAsync()).Count == 2 ? "both" : null, Patience, "both quarantined");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _api.Dispose();
        await _sophie.DisposeAsync();
    }

    async Task<JsonNode> ItemAsync(string reason) =>
        (await JsonAsync(await _api.GetAsync("/api/quarantine"), HttpStatusCode.OK)).AsArray().Single(q => (string?)q!["reason"] == reason)!;

    [Test]
    public async Task The_list_gives_each_reason_size_and_origin_newest_first()
    {
        var list = (await JsonAsync(await _api.GetAsync("/api/quarantine"), HttpStatusCode.OK)).AsArray();

        Assert.That(list.Select(q => (string?)q!["reason"]), Is.EqualTo(new[] { nameof(OpenStatus.NotSmime), nameof(OpenStatus.Malformed) }));
        Assert.That((long)list[0]!["id"]!, Is.GreaterThan((long)list[1]!["id"]!));
        var unsigned = list[0]!;
        Assert.That((string?)unsigned["messageId"], Is.EqualTo(_unsignedId));
        Assert.That((string?)unsigned["mailbox"], Is.EqualTo("INBOX"));
        Assert.That((long?)unsigned["uid"], Is.GreaterThan(0));
        Assert.That((long?)unsigned["size"], Is.EqualTo(_unsigned.Length));
        Assert.That((string?)unsigned["detail"], Is.Not.Empty);
        Assert.That(unsigned["receivedAt"], Is.Not.Null);
        Assert.That(unsigned["erasedAt"], Is.Null);
        Assert.That(list[1]!["messageId"], Is.Null, "an unreadable message has no Message-ID");
        Assert.That((long?)list[1]!["size"], Is.EqualTo(_malformed.Length));
        Assert.That(list.ToJsonString(), Does.Not.Contain(_bodyMarker));
    }

    [Test]
    public async Task The_list_comes_in_pages_newest_first()
    {
        var first = (await JsonAsync(await _api.GetAsync("/api/quarantine?limit=1"), HttpStatusCode.OK)).AsArray();
        Assert.That(first.Select(q => (string?)q!["reason"]), Is.EqualTo(new[] { nameof(OpenStatus.NotSmime) }));
        var next = (await JsonAsync(await _api.GetAsync($"/api/quarantine?limit=1&before={(long)first[0]!["id"]!}"), HttpStatusCode.OK)).AsArray();
        Assert.That(next.Select(q => (string?)q!["reason"]), Is.EqualTo(new[] { nameof(OpenStatus.Malformed) }));
        var last = (await JsonAsync(await _api.GetAsync($"/api/quarantine?before={(long)next[0]!["id"]!}"), HttpStatusCode.OK)).AsArray();
        Assert.That(last, Is.Empty);
        await ProblemAsync(await _api.GetAsync("/api/quarantine?limit=0"), HttpStatusCode.BadRequest, "entre 1 et 500");
        await ProblemAsync(await _api.GetAsync("/api/quarantine?limit=501"), HttpStatusCode.BadRequest, "entre 1 et 500");
    }

    [Test]
    public async Task One_item_shows_its_outer_headers_decoded_and_never_its_body()
    {
        var id = (long)(await ItemAsync(nameof(OpenStatus.NotSmime)))["id"]!;

        var response = await _api.GetAsync($"/api/quarantine/{id}");
        var body = await response.Content.ReadAsStringAsync();
        var item = await JsonAsync(response, HttpStatusCode.OK);

        Assert.That((long?)item["id"], Is.EqualTo(id));
        Assert.That((string?)item["reason"], Is.EqualTo(nameof(OpenStatus.NotSmime)));
        var summary = item["summary"]!;
        Assert.That((bool?)summary["readable"], Is.True);
        Assert.That((string?)summary["from"], Is.EqualTo("Laboratoire Aurélie <labo@labo.test>"));
        Assert.That(summary["to"]!.AsArray().Select(t => (string?)t), Is.EqualTo(new[] { Sophie.Address }));
        Assert.That((string?)summary["subject"], Is.EqualTo("Résultats d'analyse"));
        Assert.That(DateTimeOffset.Parse((string)summary["date"]!, System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(new DateTimeOffset(2025, 6, 3, 10, 15, 0, TimeSpan.FromHours(2))));
        Assert.That((string?)summary["contentType"], Is.EqualTo("multipart/mixed"));
        Assert.That((int?)summary["parts"], Is.EqualTo(2));
        Assert.That(body, Does.Not.Contain(_bodyMarker));
    }

    [Test]
    public async Task An_unreadable_item_says_so_instead_of_failing()
    {
        var id = (long)(await ItemAsync(nameof(OpenStatus.Malformed)))["id"]!;

        var item = await JsonAsync(await _api.GetAsync($"/api/quarantine/{id}"), HttpStatusCode.OK);

        var summary = item["summary"]!;
        Assert.That((bool?)summary["readable"], Is.False);
        Assert.That((string?)summary["problem"], Does.StartWith("illisible"));
        Assert.That(summary["subject"], Is.Null);
        Assert.That((int?)summary["parts"], Is.Zero);
    }

    [Test]
    public async Task The_raw_message_downloads_as_it_arrived_and_the_download_is_audited()
    {
        var id = (long)(await ItemAsync(nameof(OpenStatus.NotSmime)))["id"]!;

        var response = await _api.GetAsync($"/api/quarantine/{id}/raw");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/octet-stream"));
        Assert.That(response.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
        Assert.That(response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Is.EqualTo($"message-{id}.eml"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Does.Contain("nosniff"));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_unsigned));
        var audit = await _sophie.Services.GetRequiredService<AuditTrail>().ListAsync(0, 1000);
        Assert.That(audit.Count(r => r.Kind == AuditKinds.MessageQuarantined), Is.EqualTo(2));
        var download = audit.Last(r => r.Kind == AuditKinds.QuarantineDownloaded);
        Assert.That(download.MessageId, Is.EqualTo(_unsignedId));
        Assert.That(download.Actor, Is.EqualTo("miss"), "the instance's own token asked");
    }

    [Test]
    public async Task Unknown_ids_get_404_and_no_token_gets_401()
    {
        await ProblemAsync(await _api.GetAsync("/api/quarantine/999999"), HttpStatusCode.NotFound, "aucun message en quarantaine");
        await ProblemAsync(await _api.GetAsync("/api/quarantine/999999/raw"), HttpStatusCode.NotFound, "aucun message en quarantaine");
        using var anonymous = new HttpClient { BaseAddress = _sophie.Address };
        foreach (var path in new[] { "/api/quarantine", "/api/quarantine/1", "/api/quarantine/1/raw" })
        {
            await ProblemAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized, "jeton");
        }
    }

    [Test]
    public async Task Once_its_raw_bytes_are_erased_an_item_keeps_its_reason_and_the_download_is_gone()
    {
        await using var marc = await MissInstance.StartAsync(Marc);
        using var api = marc.Api();
        await marc.WaitUntilIdleAsync(Patience);
        await MailServerFixture.Server.DeliverRawAsync(Marc.Address, _unsigned);
        await TestWait.ForAsync(async () => (await marc.Store.ListQuarantineAsync()).Count == 1 ? "kept" : null, Patience, "quarantined at Marc's");

        Assert.That(await marc.Expiries.EraseQuarantineAsync(TimeSpan.Zero), Is.EqualTo(1));
        var item = (await JsonAsync(await api.GetAsync("/api/quarantine"), HttpStatusCode.OK)).AsArray().Single()!;
        var id = (long)item["id"]!;

        Assert.That(item["erasedAt"], Is.Not.Null);
        Assert.That((long?)item["size"], Is.Zero);
        Assert.That((string?)item["reason"], Is.EqualTo(nameof(OpenStatus.NotSmime)));
        var detail = await JsonAsync(await api.GetAsync($"/api/quarantine/{id}"), HttpStatusCode.OK);
        Assert.That(detail["summary"], Is.Null);
        await ProblemAsync(await api.GetAsync($"/api/quarantine/{id}/raw"), HttpStatusCode.Gone, "effacé");
    }
}
