using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiSS.Core.Attachments;
using MiSS.Core.Documents;
using MiSS.Core.Photos;
using MiSS.Core.Storage;
using MiSS.Core.Tests.Photos;
using Microsoft.Extensions.DependencyInjection;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Api;

/// <summary>The local API of real running instances (Kestrel on loopback, the real store, the real mail server).</summary>
public class ApiTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    MissInstance _claire = null!;
    MissInstance _julien = null!;
    HttpClient _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await MailServerFixture.EmptyInboxesAsync();
        _claire = await MissInstance.StartAsync(Claire);
        _julien = await MissInstance.StartAsync(Julien);
        _api = _claire.Api();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _api.Dispose();
        await _claire.DisposeAsync();
        await _julien.DisposeAsync();
    }

    internal static async Task<JsonNode> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return JsonNode.Parse(body)!;
    }

    /// <summary>An RFC 9457 problem with the status and a French detail containing <paramref name="detail"/>.</summary>
    internal static async Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        var problem = await JsonAsync(response, status);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((int?)problem["status"], Is.EqualTo((int)status));
        Assert.That((string?)problem["detail"], Does.Contain(detail));
    }

    async Task<long> DirectWithJulienAsync() =>
        (long)(await JsonAsync(await _api.PostAsJsonAsync("/api/conversations", new { peer = Julien.Address }), HttpStatusCode.Created))["id"]!;

    [Test]
    public async Task Without_a_token_or_with_a_wrong_or_revoked_one_the_api_answers_401()
    {
        using var anonymous = new HttpClient { BaseAddress = _claire.Address };
        await ProblemAsync(await anonymous.GetAsync("/api/status"), HttpStatusCode.Unauthorized, "jeton");
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "pas-un-jeton");
        await ProblemAsync(await anonymous.GetAsync("/api/conversations"), HttpStatusCode.Unauthorized, "jeton");

        var tokens = _claire.Services.GetRequiredService<ApiTokenStore>();
        var named = await tokens.CreateAsync("logiciel-metier-" + Guid.NewGuid().ToString("N")[..6]);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", named);
        Assert.That((await anonymous.GetAsync("/api/status")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "a named token opens the API");
        await tokens.RevokeAsync((await tokens.ListAsync()).Single(t => t.Name.StartsWith("logiciel-metier-", StringComparison.Ordinal) && t.IsActive).Name);
        await ProblemAsync(await anonymous.GetAsync("/api/status"), HttpStatusCode.Unauthorized, "révoqué");
    }

    [Test]
    public async Task A_read_only_token_reads_everything_and_changes_nothing()
    {
        var id = await DirectWithJulienAsync();
        var tokens = _claire.Services.GetRequiredService<ApiTokenStore>();
        var name = "tableau-de-bord-" + Guid.NewGuid().ToString("N")[..6];
        using var reader = new HttpClient { BaseAddress = _claire.Address };
        reader.DefaultRequestHeaders.Authorization = new("Bearer", await tokens.CreateAsync(name, ApiTokenScope.Read));
        Assert.That((await tokens.ListAsync()).Single(t => t.Name == name).Scope, Is.EqualTo(ApiTokenScope.Read));

        foreach (var path in new[] { "/api/status", "/api/conversations", $"/api/conversations/{id}/messages", "/api/quarantine", "/api/audit" })
        {
            Assert.That((await reader.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
        }
        var before = (await _claire.Store.ListConversationAsync(id)).Count;
        await ProblemAsync(await reader.PostAsJsonAsync($"/api/conversations/{id}/messages", new { text = "écrit par un jeton de lecture" }),
            HttpStatusCode.Forbidden, "ne permet que la lecture");
        await ProblemAsync(await reader.PostAsJsonAsync("/api/conversations", new { peer = Sophie.Address }), HttpStatusCode.Forbidden, "lecture");
        await ProblemAsync(await reader.PostAsync("/api/session-links", null), HttpStatusCode.Forbidden, "lecture");
        await ProblemAsync(await reader.PostAsync($"/api/conversations/{id}/end", null), HttpStatusCode.Forbidden, "lecture");
        Assert.That((await _claire.Store.ListConversationAsync(id)).Count, Is.EqualTo(before), "nothing written");
        Assert.That((await _claire.ConversationStore.GetAsync(id))!.IsEnded, Is.False);
        await tokens.RevokeAsync(name);
    }

    [Test]
    public async Task A_request_with_a_foreign_host_header_is_refused_before_anything_else()
    {
        foreach (var host in new[] { "evil.example", "127.0.0.1.nip.io", "192.168.1.10" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/status");
            request.Headers.Host = $"{host}:{_claire.Address.Port}";
            await ProblemAsync(await _api.SendAsync(request), HttpStatusCode.BadRequest, "adresses locales");
        }
        using var local = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        local.Headers.Host = $"localhost:{_claire.Address.Port}";
        Assert.That((await _api.SendAsync(local)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_api_listens_on_loopback_only_and_sends_no_cors_headers()
    {
        Assert.That(IPAddress.IsLoopback(IPAddress.Parse(_claire.Address.Host)), Is.True);
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/status");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        var response = await _api.SendAsync(request);
        Assert.That(response.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
    }

    [Test]
    public async Task Status_tells_the_account_and_the_inbox()
    {
        var status = await JsonAsync(await _api.GetAsync("/api/status"), HttpStatusCode.OK);
        Assert.That((string?)status["mailbox"], Is.EqualTo(Claire.Address));
        Assert.That((string?)status["displayName"], Is.EqualTo(Claire.DisplayName));
        Assert.That((bool?)status["inboxConnected"], Is.True);
    }

    [Test]
    public async Task Conversations_are_started_listed_read_and_refused_with_specific_errors()
    {
        var id = await DirectWithJulienAsync();
        Assert.That(await DirectWithJulienAsync(), Is.EqualTo(id), "the same direct conversation is found again");
        var patient = new { family = "DURAND", given = "Léa", birth = "1948-05-12", ins = "248057512345678", insOid = "1.2.250.1.213.1.4.10" };
        var group = await JsonAsync(await _api.PostAsJsonAsync("/api/conversations",
            new { name = "Sortie de Mme D.", members = new[] { Julien.Address, Sophie.Address }, patient }), HttpStatusCode.Created);
        Assert.That((string?)group["kind"], Is.EqualTo("group"));
        Assert.That(group["members"]!.AsArray().Select(m => (string?)m), Is.EquivalentTo(new[] { Claire.Address, Julien.Address, Sophie.Address }));
        Assert.That((string?)group["patient"]!["ins"], Is.EqualTo("248057512345678"));
        Assert.That((long?)group["retentionSeconds"], Is.EqualTo(7 * 86400));

        var list = await JsonAsync(await _api.GetAsync("/api/conversations"), HttpStatusCode.OK);
        Assert.That(list.AsArray().Select(c => (long?)c!["id"]), Is.SupersetOf(new long?[] { id, (long?)group["id"] }));
        Assert.That((long?)(await JsonAsync(await _api.GetAsync($"/api/conversations/{id}"), HttpStatusCode.OK))["id"], Is.EqualTo(id));

        await ProblemAsync(await _api.GetAsync("/api/conversations/999999"), HttpStatusCode.NotFound, "inconnue");
        await ProblemAsync(await _api.PostAsJsonAsync("/api/conversations", new { }), HttpStatusCode.BadRequest, "peer");
        await ProblemAsync(await _api.PostAsJsonAsync("/api/conversations", new { peer = "pas une adresse" }), HttpStatusCode.BadRequest, "adresse invalide");
        await ProblemAsync(await _api.PostAsync("/api/conversations", new StringContent("{ pas du json", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "mal formée");
    }

    [Test]
    public async Task Retention_members_and_end_change_a_conversation_for_everyone()
    {
        var group = (long)(await JsonAsync(await _api.PostAsJsonAsync("/api/conversations",
            new { name = "Équipe", members = new[] { Julien.Address } }), HttpStatusCode.Created))["id"]!;

        var changed = await JsonAsync(await _api.PutAsJsonAsync($"/api/conversations/{group}/retention", new { seconds = 86400 }), HttpStatusCode.OK);
        Assert.That((long?)changed["retentionSeconds"], Is.EqualTo(86400));
        await ProblemAsync(await _api.PutAsJsonAsync($"/api/conversations/{group}/retention", new { seconds = 60 }), HttpStatusCode.BadRequest, "entre 1 heure");

        var added = await JsonAsync(await _api.PostAsJsonAsync($"/api/conversations/{group}/members", new { address = Marc.Address }), HttpStatusCode.OK);
        Assert.That(added["members"]!.AsArray().Select(m => (string?)m), Does.Contain(Marc.Address));
        var removed = await JsonAsync(await _api.DeleteAsync($"/api/conversations/{group}/members/{Marc.Address}"), HttpStatusCode.OK);
        Assert.That(removed["members"]!.AsArray().Select(m => (string?)m), Does.Not.Contain(Marc.Address));
        var direct = await DirectWithJulienAsync();
        await ProblemAsync(await _api.PostAsJsonAsync($"/api/conversations/{direct}/members", new { address = Marc.Address }), HttpStatusCode.Conflict, "groupe");

        var ended = await JsonAsync(await _api.PostAsync($"/api/conversations/{group}/end", null), HttpStatusCode.OK);
        Assert.That(ended["endedAt"], Is.Not.Null);
        await ProblemAsync(await _api.PostAsJsonAsync($"/api/conversations/{group}/messages", new { text = "encore" }), HttpStatusCode.Conflict, "terminée");
        await ProblemAsync(await _api.PostAsync($"/api/conversations/{group}/end", null), HttpStatusCode.Conflict, "terminée");
    }

    [Test]
    public async Task A_message_with_a_photo_is_written_read_on_the_other_side_marked_read_and_exported()
    {
        var id = await DirectWithJulienAsync();
        var photo = SyntheticImages.CameraJpeg(1600, 1200);
        var written = await JsonAsync(await _api.PostAsJsonAsync($"/api/conversations/{id}/messages", new
        {
            text = "Photo de la plaie",
            attachments = new[] { new { fileName = "plaie.jpg", contentBase64 = Convert.ToBase64String(photo), original = false } },
        }), HttpStatusCode.Created);
        var messageId = (string)written["messageId"]!;
        Assert.That((string?)written["state"], Is.EqualTo("queued"), "stored before the answer");
        var attachment = written["attachments"]![0]!;
        Assert.That((string?)attachment["mediaType"], Is.EqualTo("image/jpeg"));
        Assert.That((int?)attachment["width"], Is.LessThanOrEqualTo(2048));

        var listed = await JsonAsync(await _api.GetAsync($"/api/conversations/{id}/messages"), HttpStatusCode.OK);
        Assert.That(listed.AsArray().Select(m => (string?)m!["messageId"]), Does.Contain(messageId));
        // Pages, latest first: the last message alone, then those before it.
        var second = await JsonAsync(await _api.PostAsJsonAsync($"/api/conversations/{id}/messages", new { text = "Et la suite" }), HttpStatusCode.Created);
        var latest = (await JsonAsync(await _api.GetAsync($"/api/conversations/{id}/messages?limit=1"), HttpStatusCode.OK)).AsArray();
        Assert.That(latest.Select(m => (string?)m!["messageId"]), Is.EqualTo(new[] { (string?)second["messageId"] }));
        var earlier = (await JsonAsync(await _api.GetAsync($"/api/conversations/{id}/messages?before={(long)second["id"]!}"), HttpStatusCode.OK)).AsArray();
        Assert.That(earlier.Select(m => (string?)m!["messageId"]), Does.Contain(messageId).And.Not.Contain((string?)second["messageId"]));
        await ProblemAsync(await _api.GetAsync($"/api/conversations/{id}/messages?limit=0"), HttpStatusCode.BadRequest, "entre 1 et 1000");
        var content = await _api.GetAsync($"/api/attachments/{(long)attachment["id"]!}");
        Assert.That(content.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/jpeg"));
        Assert.That((await content.Content.ReadAsByteArrayAsync()).AsSpan(0, 2).ToArray(), Is.EqualTo(new byte[] { 0xFF, 0xD8 }));
        Assert.That((await _api.GetAsync($"/api/attachments/{(long)attachment["id"]!}/thumbnail")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ProblemAsync(await _api.GetAsync("/api/attachments/999999"), HttpStatusCode.NotFound, "inconnue");

        // At Julien's: arrived verified, with Claire as signer; he marks it read and Claire sees it.
        using var julien = _julien.Api();
        var received = await TestWait.ForAsync(async () =>
        {
            var response = await julien.GetAsync($"/api/messages/{messageId}");
            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }, Patience, "the message at Julien's");
        Assert.That((bool?)received["signature"]!["verified"], Is.True);
        Assert.That((string?)received["signature"]!["signerName"], Is.EqualTo(Claire.DisplayName));
        var read = await JsonAsync(await julien.PostAsJsonAsync("/api/receipts", new { messageIds = new[] { messageId } }), HttpStatusCode.OK);
        Assert.That((int?)read["read"], Is.EqualTo(1));
        await ProblemAsync(await julien.PostAsJsonAsync("/api/receipts", new { messageIds = Array.Empty<string>() }), HttpStatusCode.BadRequest, "messageIds");
        await TestWait.ForAsync(async () =>
        {
            var mine = await JsonAsync(await _api.GetAsync($"/api/messages/{messageId}"), HttpStatusCode.OK);
            return (string?)mine["recipients"]![0]!["state"] == "read" ? mine : null;
        }, Patience, "the read tick at Claire's");

        var export = await _api.GetAsync($"/api/conversations/{id}/export?message={Uri.EscapeDataString(messageId)}");
        Assert.That(export.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/fhir+json"));
        var bundle = JsonNode.Parse(await export.Content.ReadAsStringAsync())!;
        Assert.That((string?)bundle["resourceType"], Is.EqualTo("Bundle"));
        Assert.That(bundle["entry"]!.AsArray().Count(e => (string?)e!["resource"]!["resourceType"] == "Communication"), Is.EqualTo(1));
        await ProblemAsync(await _api.GetAsync("/api/conversations/999999/export"), HttpStatusCode.NotFound, "inconnue");
        await ProblemAsync(await _api.GetAsync("/api/messages/inconnu@nulle.part"), HttpStatusCode.NotFound, "inconnu");
    }

    [Test]
    public async Task Bad_messages_get_specific_errors_and_nothing_is_stored()
    {
        var id = await DirectWithJulienAsync();
        var before = (await JsonAsync(await _api.GetAsync($"/api/conversations/{id}/messages"), HttpStatusCode.OK)).AsArray().Count;
        await ProblemAsync(await _api.PostAsJsonAsync($"/api/conversations/{id}/messages", new { text = "  " }), HttpStatusCode.BadRequest, "vide");
        await ProblemAsync(await _api.PostAsJsonAsync($"/api/conversations/{id}/messages",
            new { text = "x", attachments = new[] { new { fileName = "a.jpg", contentBase64 = "%%%pas du base64" } } }), HttpStatusCode.BadRequest, "base64");
        var elf = new byte[2048];
        "\u007fELF"u8.CopyTo(elf);
        await ProblemAsync(await _api.PostAsJsonAsync($"/api/conversations/{id}/messages",
            new { text = "x", attachments = new[] { new { fileName = "cr.pdf", contentBase64 = Convert.ToBase64String(elf) } } }),
            HttpStatusCode.UnprocessableEntity, "");
        await ProblemAsync(await _api.PostAsJsonAsync("/api/conversations/999999/messages", new { text = "x" }), HttpStatusCode.NotFound, "inconnue");
        Assert.That((await JsonAsync(await _api.GetAsync($"/api/conversations/{id}/messages"), HttpStatusCode.OK)).AsArray(), Has.Count.EqualTo(before));
    }

    [Test]
    public async Task The_directory_finds_a_colleague_by_name_without_accents_or_case()
    {
        var found = await JsonAsync(await _api.GetAsync("/api/directory?q=julien%20bern"), HttpStatusCode.OK);
        Assert.That(found.AsArray().Select(e => (string?)e!["address"]), Is.EqualTo(new[] { Julien.Address }));
        Assert.That((string?)found[0]!["rpps"], Is.EqualTo(Julien.Rpps));
        var self = await JsonAsync(await _api.GetAsync("/api/directory?q=claire"), HttpStatusCode.OK);
        Assert.That(self.AsArray(), Is.Empty, "one's own mailbox is not a correspondent");
        await ProblemAsync(await _api.GetAsync("/api/directory?q=j"), HttpStatusCode.BadRequest, "2 caractères");
    }

    [Test]
    public async Task The_event_stream_tells_a_new_message_as_it_is_written()
    {
        var id = await DirectWithJulienAsync();
        using var stream = new HttpClient { BaseAddress = _claire.Address, Timeout = Timeout.InfiniteTimeSpan };
        stream.DefaultRequestHeaders.Authorization = new("Bearer", _claire.Token);
        using var response = await stream.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadLineAsync(); // the opening comment

        var written = await JsonAsync(await _api.PostAsJsonAsync($"/api/conversations/{id}/messages", new { text = "En direct" }), HttpStatusCode.Created);

        using var timeout = new CancellationTokenSource(Patience);
        string? line;
        var seen = new List<string>();
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null)
        {
            seen.Add(line);
            if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains((string)written["messageId"]!, StringComparison.Ordinal)
                && seen[^2] == "event: message")
            {
                var data = JsonNode.Parse(line["data:".Length..])!;
                Assert.That((long?)data["conversationId"], Is.EqualTo(id));
                return;
            }
        }
        Assert.Fail("no message event: " + string.Join(" | ", seen));
    }

    [Test]
    public async Task A_one_time_link_opens_a_strict_httponly_session_once()
    {
        var link = _claire.SessionLink();
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var browser = new HttpClient(handler) { BaseAddress = _claire.Address };

        var opened = await browser.GetAsync(link.PathAndQuery);
        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var cookie = opened.Headers.GetValues("Set-Cookie").Single();
        Assert.That(cookie, Does.StartWith("miss_session=").And.Contain("httponly").IgnoreCase.And.Contain("samesite=strict").IgnoreCase);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.That((await browser.SendAsync(withCookie)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ProblemAsync(await browser.GetAsync(link.PathAndQuery), HttpStatusCode.Unauthorized, "déjà servi");
        var fromApi = await JsonAsync(await _api.PostAsync("/api/session-links", null), HttpStatusCode.OK);
        Assert.That((string?)fromApi["url"], Does.Contain("/session?code="));
    }

    [Test]
    public async Task The_served_openapi_document_is_the_committed_one()
    {
        var served = JsonNode.Parse(await (await new HttpClient { BaseAddress = _claire.Address }.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync())!;
        Assert.That(served["paths"]!.AsObject().Select(p => p.Key), Is.SupersetOf(new[]
        {
            "/api/status", "/api/conversations", "/api/conversations/{id}/messages", "/api/attachments/{id}", "/api/receipts",
            "/api/conversations/{id}/export", "/api/directory", "/api/events", "/api/quarantine", "/api/quarantine/{id}/raw",
        }));
        var committedPath = Path.Combine(MailServerFixture.RepositoryRoot, "docs", "openapi.json");
        var text = served.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
        if (Environment.GetEnvironmentVariable("MISS_WRITE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(committedPath, text);
        }
        Assert.That(await File.ReadAllTextAsync(committedPath), Is.EqualTo(text),
            "docs/openapi.json is out of date: run the tests with MISS_WRITE_OPENAPI=1 and commit it");
    }

    [Test]
    public async Task Unknown_routes_and_wrong_methods_get_problems_too()
    {
        await ProblemAsync(await _api.GetAsync("/api/inexistant"), HttpStatusCode.NotFound, "n'existe pas");
        await ProblemAsync(await _api.DeleteAsync("/api/status"), HttpStatusCode.MethodNotAllowed, "méthode");
    }

    [Test]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        var options = MissInstance.OptionsFor(Marc);
        options.Api.MaxRequestBytes = 20_000;
        await using var marc = await MissInstance.StartAsync(Marc, options);
        using var api = marc.Api();
        var id = (long)(await JsonAsync(await api.PostAsJsonAsync("/api/conversations", new { peer = Julien.Address }), HttpStatusCode.Created))["id"]!;

        var tooLarge = await api.PostAsJsonAsync($"/api/conversations/{id}/messages", new { text = new string('x', 30_000) });
        await ProblemAsync(tooLarge,
            HttpStatusCode.RequestEntityTooLarge, "trop volumineuse");
        Assert.That((await JsonAsync(await api.GetAsync($"/api/conversations/{id}/messages"), HttpStatusCode.OK)).AsArray(), Is.Empty);
    }
}
