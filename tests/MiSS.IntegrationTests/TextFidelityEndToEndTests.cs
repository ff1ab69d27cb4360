using System.Text.RegularExpressions;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>
/// Through the real Postfix and Dovecot (SMTP dot-stuffing, IMAP fetch): the receiver stores exactly the text the
/// sender's own side stores, line ends aside (LF on both sides).
/// </summary>
public class TextFidelityEndToEndTests
{
    static readonly string[] NastyTexts =
    [
        "Traitement :\r\n.\r\nQUIT\r\n",
        ".\n..\n.",
        "Fin du message\n\n\n",
        "avant\0après\0",
        "Dose    \nsuite\t \n  ",
        "\u202eevitcelfer\u202c \u2067שלום\u2069 \u200f",
        "🩺 👩🏽‍⚕️ 🇫🇷",
        "From the ward:\nFrom here on\n-- \nmon paraphe\n-- \n",
        "saut\fde page\u2028LS\rCR seul\r\n" + new string('x', 1200) + " ",
    ];

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    [Test]
    public async Task The_receiver_stores_the_very_text_the_sender_stores()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        await julien.WaitUntilIdleAsync(TimeSpan.FromSeconds(30));

        var sent = new List<StoredMessage>();
        foreach (var text in NastyTexts)
        {
            sent.Add(await claire.SendDirectAsync(Julien, text));
        }

        foreach (var (queued, text) in sent.Zip(NastyTexts))
        {
            var received = await TestWait.ForAsync(() => julien.Store.GetAsync(queued.MessageId), TimeSpan.FromSeconds(30), "the message in Julien's store");
            var own = await claire.Store.GetAsync(queued.MessageId) ?? throw new AssertionException("not in Claire's store");
            Assert.That(received.Signature!.Status, Is.EqualTo(OpenStatus.Verified), received.Signature.Detail);
            Assert.That(Lf(own.Body), Is.EqualTo(Lf(text)), "the sender keeps what was written");
            Assert.That(Escaped(Lf(received.Body)), Is.EqualTo(Escaped(Lf(own.Body))), $"text {Escaped(text)}");
        }
    }

    static string Lf(string text) => Regex.Replace(text, "\r\n?", "\n");

    static string Escaped(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator ? $"\\u{(int)c:x4}" : c.ToString()));
}
