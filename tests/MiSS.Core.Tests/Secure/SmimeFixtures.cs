using System.Security.Cryptography.X509Certificates;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using MimeKit;
using MimeKit.Utils;
using MiSS.Core.Messaging;

namespace MiSS.Core.Tests.Secure;

/// <summary>Builds S/MIME messages for the tests the way the outbox does, with knobs to break them.</summary>
static class SmimeFixtures
{
    public static MimeEntity Content(string text, DevPractitioner from)
    {
        var part = MimeTest.Text(text);
        part.Headers.Add("From", new MailboxAddress(from.DisplayName, from.Address).ToString());
        part.Headers.Add("Subject", "Avis sur une plaie");
        return part;
    }

    /// <summary>An outer message around a body, with From set to <paramref name="from"/>.</summary>
    public static MimeMessage Envelope(string from, MimeEntity body)
    {
        var message = MimeTest.Message(body);
        message.Headers.Add("From", from);
        message.Headers.Add("To", TestPki.Julien.Address);
        message.Headers.Add("Subject", "Message sécurisé");
        message.Headers.Add("Message-ID", $"<{Guid.NewGuid():N}@dev.mssante.test>");
        message.Headers.Add("Date", DateUtils.FormatDate(DateTimeOffset.UtcNow));
        return message;
    }

    /// <summary>Written to bytes and read back, as it would cross the mail server.</summary>
    public static MimeMessage OverTheWire(MimeMessage message) => MimeLoader.LoadMessage(MimeBytes.Canonical(message));

    public static SmimeOpener OpenerFor(DevPractitioner p, SmimeTrust? trust = null) =>
        new(trust ?? TestPki.Trust(), TestPki.Pki.LoadPractitioner(p));

    public static X509Certificate2 Certificate(DevPractitioner p) => TestPki.Pki.LoadPractitioner(p);
}
