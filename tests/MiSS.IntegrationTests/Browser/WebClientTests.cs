using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Tests.PractitionerDirectory;
using MiSS.Core.Tests.Photos;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Browser;

/// <summary>
/// The web client in real headless Chromium (Debian's, driven by Playwright), on two MiSS instances and the real mail
/// server. Screenshots of each page are saved with the test results.
/// </summary>
public class WebClientTests
{
    const string Chromium = "/usr/bin/chromium";
    static readonly float Patience = 60_000;

    IPlaywright _playwright = null!;
    IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task LaunchAsync()
    {
        Assert.That(File.Exists(Chromium), Is.True, $"{Chromium} is missing: `./build.sh setup` installs Debian's chromium");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"], // the tests may run as root, where Chromium's sandbox cannot start
        });
    }

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    /// <summary>
    /// A page logged in through the instance's one-time link; phone-sized or desktop-sized. Dialogs (a script that
    /// ran) and console errors are collected in <paramref name="dialogs"/>.
    /// </summary>
    async Task<IPage> OpenAsync(MissInstance instance, bool phone, List<string> dialogs)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 800 },
            Locale = "fr-FR",
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        // A script error, a refused resource or a CSP violation shows as a console error: each is a failure.
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                dialogs.Add("console: " + message.Text);
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        await page.GotoAsync(instance.SessionLink().ToString());
        await Assertions.Expect(page.GetByTestId("directory-search")).ToBeVisibleAsync();
        return page;
    }

    static async Task ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{TestContext.CurrentContext.Test.MethodName}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }

    /// <summary>Lists Julien in <paramref name="instance"/>'s national directory (an Annuaire Santé bundle) and searches him on its page.</summary>
    static async Task<ILocator> FindJulienInDirectoryAsync(MissInstance instance, IPage page)
    {
        await new AnnuaireFhirImporter(instance.Services.GetRequiredService<DirectoryStore>()).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(
            AnnuaireBundles.Bundle(AnnuaireBundles.Practitioner(Julien, "julien"),
                AnnuaireBundles.Role("julien-role", "julien", AnnuaireBundles.Mailbox(Julien.Address))))));
        await page.GetByTestId("directory-search").FillAsync("Julien");
        return page.GetByTestId("directory-result").Filter(new() { HasText = Julien.Address });
    }

    static string PhotoFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"plaie-{Guid.NewGuid():N}.jpg");
        File.WriteAllBytes(path, SyntheticImages.CameraJpeg(1600, 1200));
        return path;
    }

    [Test]
    public async Task A_finds_B_in_the_directory_sends_text_and_photo_B_sees_them_verified_and_A_sees_them_read()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var dialogs = new List<string>();
        var a = await OpenAsync(claire, phone: false, dialogs);
        var b = await OpenAsync(julien, phone: true, dialogs);

        // Claire's national directory lists Julien: each result shows profession, city and mailbox type.
        var result = await FindJulienInDirectoryAsync(claire, a);
        await Assertions.Expect(result.GetByTestId("directory-result-details")).ToHaveTextAsync("Médecin · NEVERS · BAL personnelle");
        await Assertions.Expect(result.GetByTestId("directory-result-encryption")).ToHaveTextAsync("chiffrement de bout en bout");
        await result.ClickAsync();
        await a.GetByTestId("compose-text").FillAsync("Bonjour Julien, la plaie du talon de Mme D. suinte. Peux-tu passer ?");
        await a.GetByTestId("compose-send").ClickAsync();
        var photo = PhotoFile();
        await a.GetByTestId("compose-file").SetInputFilesAsync(photo);
        await Assertions.Expect(a.GetByTestId("compose-preview")).ToBeVisibleAsync();
        await a.GetByTestId("compose-text").FillAsync("La photo de ce matin");
        await a.GetByTestId("compose-send").ClickAsync();
        await Assertions.Expect(a.GetByTestId("message").Filter(new() { Has = a.GetByTestId("message-photo") })).ToHaveCountAsync(1);
        // Named as the directory names him, not by his address.
        await Assertions.Expect(a.GetByTestId("conversation-title")).ToContainTextAsync("BERNARD");

        // B: the conversation appears with its unread messages, signed by Claire, verified, with the photo; it is named
        // after the certificate her verified signature taught B.
        await b.GetByTestId("conversation-item").First.ClickAsync();
        await Assertions.Expect(b.GetByTestId("conversation-title")).ToHaveTextAsync(Claire.DisplayName);
        var received = b.Locator("[data-testid=message][data-direction=incoming]");
        await Assertions.Expect(received).ToHaveCountAsync(2);
        foreach (var signer in await b.GetByTestId("message-signer").AllAsync())
        {
            await Assertions.Expect(signer).ToContainTextAsync("Claire MARTIN");
            await Assertions.Expect(signer).ToHaveAttributeAsync("data-verified", "true");
        }
        await Assertions.Expect(received.Nth(0).GetByTestId("message-text")).ToContainTextAsync("la plaie du talon");
        var thumbnail = b.GetByTestId("message-photo");
        await Assertions.Expect(thumbnail).ToBeVisibleAsync();
        Assert.That(await thumbnail.EvaluateAsync<int>("img => img.naturalWidth"), Is.GreaterThan(0), "the thumbnail really loads");
        await ScreenshotAsync(b, "B-phone");

        // B read them (conversation open and visible): A's page shows the read tick on both.
        var states = a.Locator("[data-testid=message][data-direction=outgoing] [data-testid=message-state]");
        await Assertions.Expect(states).ToHaveCountAsync(2);
        foreach (var state in await states.AllAsync())
        {
            await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "read", new() { Timeout = Patience });
        }
        await ScreenshotAsync(a, "A-desktop");
        Assert.That(dialogs, Is.Empty);
    }

    [Test]
    public async Task A_message_that_looks_like_html_shows_as_text_and_runs_nothing()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        const string payload = "<img src=x onerror=alert(1)><script>alert(2)</script><b>gras</b>";
        // Julien's directory names Claire's address otherwise, with the payload as the family name: the warning shows it as text.
        await new AnnuaireFhirImporter(julien.Services.GetRequiredService<DirectoryStore>()).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(
            AnnuaireBundles.Bundle(AnnuaireBundles.Practitioner(Claire, "claire", AnnuaireBundles.Mailbox(Claire.Address), nationalId: "8" + Sophie.Rpps,
                family: payload)))));
        using (var api = claire.Api())
        {
            var conversation = JsonNode.Parse(await (await api.PostAsJsonAsync("/api/conversations", new { peer = Julien.Address })).Content.ReadAsStringAsync())!;
            (await api.PostAsJsonAsync($"/api/conversations/{(long)conversation["id"]!}/messages", new { text = payload })).EnsureSuccessStatusCode();
        }
        var dialogs = new List<string>();
        var b = await OpenAsync(julien, phone: false, dialogs);
        await b.GetByTestId("conversation-item").First.ClickAsync();

        var text = b.GetByTestId("message-text");
        await Assertions.Expect(text).ToHaveTextAsync(payload);
        Assert.That(await text.Locator("img, script, b").CountAsync(), Is.Zero, "nothing of the text became an element");
        var directory = b.GetByTestId("signer-directory");
        await Assertions.Expect(directory).ToHaveAttributeAsync("data-status", "mismatch");
        await Assertions.Expect(directory).ToContainTextAsync("Identité du signataire différente de l'annuaire");
        await Assertions.Expect(directory).ToContainTextAsync(payload);
        Assert.That(await directory.Locator("img, script, b").CountAsync(), Is.Zero, "nothing of the directory's name became an element");
        await b.WaitForTimeoutAsync(500);
        Assert.That(dialogs, Is.Empty, "no script ran, nothing was loaded from the text");
        await ScreenshotAsync(b, "B-payload");
    }

    [Test]
    public async Task A_group_about_a_patient_gets_a_new_retention_is_exported_and_ended_for_everyone()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var dialogs = new List<string>();
        var a = await OpenAsync(claire, phone: false, dialogs);

        await a.GetByText("Patient concerné").ClickAsync();
        await a.GetByTestId("patient-family").FillAsync("DURAND");
        await a.GetByTestId("patient-given").FillAsync("Léa");
        await a.GetByTestId("patient-birth").FillAsync("1948-05-12");
        await a.GetByTestId("patient-ins").FillAsync("248057512345678");
        await a.GetByTestId("patient-ins-oid").SelectOptionAsync("1.2.250.1.213.1.4.10");
        await a.GetByTestId("group-new").ClickAsync();
        await a.GetByTestId("group-name").FillAsync("Sortie de Mme D.");
        foreach (var member in new[] { Julien, Sophie })
        {
            await a.GetByTestId("directory-search").FillAsync(member.GivenName);
            await a.GetByTestId("directory-result").Filter(new() { HasText = member.Address }).ClickAsync();
        }
        await a.GetByTestId("group-create").ClickAsync();
        await Assertions.Expect(a.GetByTestId("conversation-patient")).ToContainTextAsync("DURAND");
        await a.GetByTestId("compose-text").FillAsync("Sortie prévue jeudi, pansement à J+2.");
        await a.GetByTestId("compose-send").ClickAsync();

        var b = await OpenAsync(julien, phone: true, dialogs);
        await b.GetByTestId("conversation-item").First.ClickAsync();
        await Assertions.Expect(b.GetByTestId("conversation-patient")).ToContainTextAsync("DURAND");
        await Assertions.Expect(b.GetByTestId("message-text")).ToContainTextAsync("pansement à J+2");

        // A shortens the retention: B's page follows.
        await a.GetByTestId("retention").SelectOptionAsync("86400");
        await Assertions.Expect(b.GetByTestId("retention")).ToHaveValueAsync("86400");

        // The export is a FHIR Bundle about the patient (INS), downloaded by the browser.
        var download = await a.RunAndWaitForDownloadAsync(() => a.GetByTestId("export").ClickAsync());
        var bundle = JsonNode.Parse(await File.ReadAllTextAsync((await download.PathAsync())!))!;
        Assert.That((string?)bundle["resourceType"], Is.EqualTo("Bundle"));
        var resources = bundle["entry"]!.AsArray().Select(e => e!["resource"]!).ToList();
        Assert.That((string?)resources.Single(r => (string?)r["resourceType"] == "Patient")["identifier"]![0]!["value"], Is.EqualTo("248057512345678"));
        var communication = resources.Single(r => (string?)r["resourceType"] == "Communication");
        Assert.That((string?)communication["payload"]![0]!["contentString"], Is.EqualTo("Sortie prévue jeudi, pansement à J+2."));
        Assert.That(communication["recipient"]!.AsArray(), Has.Count.EqualTo(2), "both other members");

        // A ends it: on B's page the messages go, the end notice stays, the conversation is closed.
        await a.GetByTestId("end-conversation").ClickAsync();
        await a.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(b.GetByTestId("message-text").Filter(new() { HasText = "pansement à J+2" })).ToHaveCountAsync(0);
        await Assertions.Expect(b.Locator("p.tag.ended")).ToContainTextAsync("Conversation terminée");
        await Assertions.Expect(b.GetByTestId("end-conversation")).ToBeDisabledAsync();
        await Assertions.Expect(b.GetByTestId("conversation-patient")).ToHaveCountAsync(0);
        await ScreenshotAsync(a, "A-ended");
        await ScreenshotAsync(b, "B-ended");
        Assert.That(dialogs, Is.Empty);
    }

    [Test]
    public async Task A_message_sent_without_end_to_end_encryption_is_marked_on_both_pages()
    {
        // Claire knows no certificate and allows transport-only: Julien gets the message signed, not encrypted.
        var options = MissInstance.OptionsKnowingNoCertificate(Claire);
        options.Security.AllowTransportOnly = true;
        await using var claire = await MissInstance.StartAsync(Claire, options);
        await using var julien = await MissInstance.StartAsync(Julien);
        var dialogs = new List<string>();
        var a = await OpenAsync(claire, phone: false, dialogs);
        var b = await OpenAsync(julien, phone: true, dialogs);

        // The directory says so before Claire writes.
        var result = await FindJulienInDirectoryAsync(claire, a);
        await Assertions.Expect(result.GetByTestId("directory-result-encryption")).ToHaveTextAsync("certificat de chiffrement inconnu");
        await a.GetByTestId("directory-search").FillAsync("");

        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address);
        await claire.Conversations.SendTextAsync(conversation.Id, "Ordonnance renouvelée.");

        await a.GetByTestId("conversation-item").First.ClickAsync();
        var sent = a.Locator("[data-testid=message][data-direction=outgoing]").GetByTestId("message-protection");
        await Assertions.Expect(sent).ToContainTextAsync("sans chiffrement de bout en bout à 1 destinataire");
        await b.GetByTestId("conversation-item").First.ClickAsync();
        var received = b.Locator("[data-testid=message][data-direction=incoming]");
        await Assertions.Expect(received.GetByTestId("message-protection")).ToContainTextAsync("Reçu sans chiffrement de bout en bout");
        await Assertions.Expect(received.GetByTestId("message-signer")).ToHaveAttributeAsync("data-verified", "true");
        await ScreenshotAsync(a, "A-transport");
        await ScreenshotAsync(b, "B-transport");
        Assert.That(dialogs, Is.Empty);
    }

    [Test]
    public async Task Writing_to_someone_whose_certificate_is_unknown_is_refused_with_the_reason_and_the_draft_kept()
    {
        await using var claire = await MissInstance.StartAsync(Claire, MissInstance.OptionsKnowingNoCertificate(Claire));
        var dialogs = new List<string>();
        var a = await OpenAsync(claire, phone: false, dialogs);

        await (await FindJulienInDirectoryAsync(claire, a)).ClickAsync();
        await a.GetByTestId("compose-text").FillAsync("Pouvez-vous passer voir Mme D. ?");
        await a.GetByTestId("compose-send").ClickAsync();

        await Assertions.Expect(a.GetByTestId("compose-error")).ToContainTextAsync($"aucun certificat de chiffrement valide connu pour {Julien.Address}");
        await Assertions.Expect(a.GetByTestId("compose-text")).ToHaveValueAsync("Pouvez-vous passer voir Mme D. ?");
        await Assertions.Expect(a.GetByTestId("message")).ToHaveCountAsync(0);
        await ScreenshotAsync(a, "refused");
        Assert.That(dialogs.Where(d => !d.Contains("422", StringComparison.Ordinal)), Is.Empty, "only the refused request in the console");
    }

    [TestCase("white-list", "Liste blanche MSSanté non mise à jour")]
    [TestCase("directory", "Annuaire national non mis à jour")]
    public async Task A_source_that_cannot_be_refreshed_is_shown_in_the_status_bar(string kind, string text)
    {
        var options = MissInstance.OptionsFor(Claire);
        // Nothing listens on port 1.
        if (kind == "directory")
        {
            options.Directory.ExtractionUrl = "https://127.0.0.1:1/Extraction_Correspondance_MSSante.zip";
        }
        else
        {
            options.TrustSpace.WhiteListUrl = "https://127.0.0.1:1/listeblanchemssante.xml";
        }
        await using var claire = await MissInstance.StartAsync(Claire, options);
        var dialogs = new List<string>();
        var page = await OpenAsync(claire, phone: false, dialogs);

        var warning = page.GetByTestId("trust-status");
        await Assertions.Expect(warning).ToHaveTextAsync(text);
        await Assertions.Expect(warning).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("téléchargement impossible"));
        if (kind == "white-list")
        {
            await ScreenshotAsync(page, "trust-warning");
        }
        Assert.That(dialogs, Is.Empty);
    }

    [Test]
    public async Task A_long_conversation_shows_its_latest_messages_and_the_older_ones_on_demand()
    {
        await using var julien = await MissInstance.StartAsync(Julien);
        var conversation = await julien.Conversations.StartDirectAsync(Claire.Address);
        // 130 messages from Claire, stored as received (the mail path is tested elsewhere; the page's paging is the point).
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        for (var i = 1; i <= 130; i++)
        {
            await julien.Store.SaveReceivedAsync(new Core.Messaging.ReceivedMessage($"long-{i}-{Guid.NewGuid():N}@x.test", Claire.Address, null,
                [Julien.Address], null, $"Message numéro {i}", start.AddMinutes(i),
                new Core.Messaging.SignatureRecord(Core.Secure.OpenStatus.Verified, "signature vérifiée", Claire.DisplayName, Claire.Rpps, true),
                conversation.Id, ExpiresAt: DateTimeOffset.UtcNow.AddDays(7)));
        }
        var dialogs = new List<string>();
        var page = await OpenAsync(julien, phone: false, dialogs);
        await page.GetByTestId("conversation-item").First.ClickAsync();

        var texts = page.GetByTestId("message-text");
        await Assertions.Expect(texts).ToHaveCountAsync(100);
        await Assertions.Expect(texts.Last).ToHaveTextAsync("Message numéro 130");
        await Assertions.Expect(texts.First).ToHaveTextAsync("Message numéro 31");
        await page.GetByTestId("older-messages").ClickAsync();
        await Assertions.Expect(texts).ToHaveCountAsync(130);
        await Assertions.Expect(texts.First).ToHaveTextAsync("Message numéro 1");
        await Assertions.Expect(page.GetByTestId("older-messages")).ToHaveCountAsync(0);
        Assert.That(dialogs, Is.Empty);
    }
}
