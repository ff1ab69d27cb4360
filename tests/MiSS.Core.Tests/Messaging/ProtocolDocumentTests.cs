using System.Text.RegularExpressions;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MimeKit;
using MimeKit.Utils;

namespace MiSS.Core.Tests.Messaging;

/// <summary>docs/protocol.md and the code say the same thing: every header the document defines is written, and read back.</summary>
public partial class ProtocolDocumentTests
{
    const string Claire = "claire@x.test";
    const string Julien = "julien@x.test";
    static readonly MessageComposer Composer = new("MiSS-TEST");
    static readonly PatientContext Patient = new("DURAND", "Léa", "1948-05-12", "248057512345678", "1.2.250.1.213.1.4.10");

    [GeneratedRegex(@"^\| `(?<name>[A-Za-z0-9-]+)` \|", RegexOptions.Multiline)]
    private static partial Regex HeaderRow();

    static IReadOnlyList<string> DocumentedHeaders()
    {
        var text = File.ReadAllText(Path.Combine(TestPki.RepositoryRoot, "docs", "protocol.md"));
        var section = text[text.IndexOf("## 2. Headers", StringComparison.Ordinal)..text.IndexOf("## 3.", StringComparison.Ordinal)];
        return HeaderRow().Matches(section).Select(m => m.Groups["name"].Value).ToList();
    }

    static StoredMessage Message(MessageKind kind, string body, long conversation) =>
        new(1, $"{Guid.NewGuid():N}@x.test", MessageDirection.Outgoing, Claire, [Julien], "Équipe", body, MessageState.Queued,
            DateTimeOffset.UtcNow, null, null, null, null, 0, conversation, kind, "previous@x.test", ["first@x.test", "previous@x.test"]);

    static Conversation Group() => new(7, "0123456789abcdef0123456789abcdef", ConversationKind.Group, "Équipe de soins",
        GroupMembership.Empty.Add(Claire, 1).Add(Julien, 1).Add("sophie@x.test", 1).Remove("sophie@x.test", 2), Patient, true,
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, new Retention(TimeSpan.FromDays(2), 1_763_772_000_000));

    static readonly DateTimeOffset Expires = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    /// <summary>
    /// The content and envelope of a text, a membership change, a receipt, a retention change and an end in a group
    /// about a patient, and of a text's transport-only copy.
    /// </summary>
    static IEnumerable<(MimeEntity Content, MimeMessage Envelope)> Composed()
    {
        var group = Group();
        foreach (var message in new[]
                 {
                     Message(MessageKind.Text, "Bonjour", group.Id),
                     Message(MessageKind.Membership, "claire a retiré sophie", group.Id),
                     Message(MessageKind.Receipt, "<a@x.test> <b@x.test>", group.Id),
                     Message(MessageKind.Retention, "claire a fixé la durée de conservation à 2 jours", group.Id),
                     Message(MessageKind.End, "claire a mis fin à la conversation", group.Id),
                 })
        {
            var content = Composer.ComposeContent(message, group, "Claire MARTIN", expires: Expires);
            // Through the writer and the reader, as a receiver gets it.
            var read = MimeLoader.LoadEntity(MimeBytes.Canonical(content));
            var envelope = MimeLoader.LoadMessage(MimeBytes.Canonical(Composer.ComposeEnvelope(message, "Claire MARTIN",
                MimeTest.Attachment("application/pkcs7-mime", new byte[] { 1, 2, 3 }, "smime.p7m"))));
            yield return (read, envelope);
        }
        // The signed-only copy for a recipient without a known certificate (MiSS:Security:AllowTransportOnly).
        var text = Message(MessageKind.Text, "Bonjour", group.Id);
        var transport = Composer.ComposeContent(text, group, "Claire MARTIN", expires: Expires, protection: Protection.Transport);
        yield return (MimeLoader.LoadEntity(MimeBytes.Canonical(transport)),
            MimeLoader.LoadMessage(MimeBytes.Canonical(Composer.ComposeEnvelope(text, "Claire MARTIN", MimeTest.Text("signé")))));
    }

    [Test]
    public void The_document_defines_the_headers()
    {
        Assert.That(DocumentedHeaders(), Is.SupersetOf(new[] { MissHeaders.Version, MissHeaders.Conversation, MissHeaders.Members, MissHeaders.MssNil }));
    }

    [Test]
    public void Every_documented_header_is_written_inside_or_outside_as_the_document_says()
    {
        var composed = Composed().ToList();
        foreach (var header in DocumentedHeaders())
        {
            var outside = header == MissHeaders.MssNil;
            var found = composed.Any(c => outside ? c.Envelope.Headers.Contains(header) : c.Content.Headers.Contains(header));
            Assert.That(found, Is.True, $"{header} is documented but never written {(outside ? "outside" : "inside")}");
            Assert.That(composed.Any(c => (outside ? c.Content.Headers : c.Envelope.Headers).Contains(header)), Is.False,
                $"{header} is written on the wrong side");
        }
    }

    [Test]
    public void Every_documented_header_is_read_back()
    {
        var composed = Composed().ToList();
        var text = ProtocolHeaders.Read(composed[0].Content.Headers, composed[0].Envelope);
        var membership = ProtocolHeaders.Read(composed[1].Content.Headers, composed[1].Envelope);
        var receipt = ProtocolHeaders.Read(composed[2].Content.Headers, composed[2].Envelope);

        Assert.That(text.Version, Is.EqualTo("1"));
        Assert.That(text.Kind, Is.EqualTo(MessageKind.Text));
        Assert.That(membership.Kind, Is.EqualTo(MessageKind.Membership));
        Assert.That(receipt.Kind, Is.EqualTo(MessageKind.Receipt));
        Assert.That(ProtocolHeaders.Read(composed[3].Content.Headers, composed[3].Envelope).Kind, Is.EqualTo(MessageKind.Retention));
        Assert.That(ProtocolHeaders.Read(composed[4].Content.Headers, composed[4].Envelope).Kind, Is.EqualTo(MessageKind.End));
        Assert.That(text.ExpiresAt, Is.EqualTo(Expires));
        Assert.That(text.Retention, Is.EqualTo(Group().Retention));
        Assert.That(text.ConversationId, Is.EqualTo(Group().ConversationId));
        Assert.That(text.GroupName, Is.EqualTo("Équipe de soins"));
        Assert.That(text.Members!.ToHeaderValue(), Is.EqualTo(Group().Membership.ToHeaderValue()));
        Assert.That(text.Patient, Is.EqualTo(Patient));
        Assert.That(text.ReceiptRequestedBy, Is.EqualTo(Claire));
        Assert.That(receipt.ReceiptRequestedBy, Is.Null, "a receipt never asks for a receipt");
        Assert.That(receipt.ReadMessageIds, Is.EqualTo(new[] { "a@x.test", "b@x.test" }));
        Assert.That(text.InReplyTo, Is.EqualTo("previous@x.test"));
        Assert.That(text.References, Is.EqualTo(new[] { "first@x.test", "previous@x.test" }));
        Assert.That(composed[0].Envelope.Headers[MissHeaders.MssNil], Is.EqualTo("MiSS-TEST"));
        Assert.That(composed[0].Envelope.Subject, Is.EqualTo(MissHeaders.NeutralSubject));
    }

    [Test]
    public void Nothing_about_the_patient_or_the_group_is_on_the_envelope()
    {
        foreach (var (_, envelope) in Composed())
        {
            var outer = string.Join("\n", envelope.Headers.Select(h => $"{h.Field}: {h.Value}"));
            Assert.That(outer, Does.Not.Contain("DURAND").And.Not.Contain("248057512345678").And.Not.Contain("Équipe").And.Not.Contain("X-MiSS"));
        }
    }
}
