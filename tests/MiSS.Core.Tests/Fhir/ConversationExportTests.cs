using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiSS.Core.Conversations;
using MiSS.Core.Fhir;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;

namespace MiSS.Core.Tests.Fhir;

/// <summary>The FHIR R4 export of a conversation: valid against the official schema, and saying what the messages said.</summary>
public class ConversationExportTests
{
    const string Claire = "claire.martin@x.test";
    const string Julien = "julien.durand@x.test";
    const string Sophie = "sophie.leroy@x.test";
    const string Ins = "248037512345623";
    const string InsOid = "1.2.250.1.213.1.4.10";
    const string JulienRpps = "10001234567";

    static readonly DateTimeOffset T0 = new(2026, 11, 20, 9, 15, 30, 123, TimeSpan.FromHours(1));
    static readonly byte[] Photo = RandomNumberGenerator.GetBytes(3000);

    static Conversation Conversation() => new(1, "conv-1@x.test", ConversationKind.Group, "Plaie du pied – Mme Dupont",
        GroupMembership.Empty.Add(Claire, 1).Add(Julien, 1).Add(Sophie, 1),
        new PatientContext("DUPONT", "Marie Louise", "1948-03-12", Ins, InsOid), ReadReceipts: true, T0, T0, new Retention(TimeSpan.FromDays(7), 0));

    static StoredAttachment Attachment(long id, string name, string type, byte[] content, string? refused = null) =>
        new(id, 0, name, type, content.LongLength, Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant(),
            refused is null ? "blob" : null, null, null, null, refused);

    static StoredMessage Message(long id, string messageId, MessageDirection direction, string sender, string body, int minutes,
        SignatureRecord? signature = null, string? inReplyTo = null, MessageKind kind = MessageKind.Text, MessageState? state = null) =>
        new(id, messageId, direction, sender, [.. new[] { Claire, Julien, Sophie }.Where(a => a != sender)], "Plaie", body,
            state ?? (direction == MessageDirection.Outgoing ? MessageState.Sent : MessageState.Received), T0.AddMinutes(minutes),
            T0.AddMinutes(minutes), direction == MessageDirection.Incoming ? T0.AddMinutes(minutes).AddSeconds(4) : null, signature, null,
            1, 1, kind, inReplyTo);

    /// <summary>A question with a photo, a verified reply (with a refused file), an unverified message, and what is not exported.</summary>
    static List<(StoredMessage Message, IReadOnlyList<(StoredAttachment Attachment, byte[] Content)> Attachments)> Scenario() =>
    [
        (Message(1, "m1@x.test", MessageDirection.Outgoing, Claire, "Bonjour, pouvez-vous regarder cette plaie ?\nMerci.", 0),
            [(Attachment(10, "plaie.jpg", "image/jpeg", Photo), Photo)]),
        (Message(2, "m2@x.test", MessageDirection.Incoming, Julien, "Pas d'infection visible, on garde le pansement.", 5,
            new SignatureRecord(OpenStatus.Verified, "Signature vérifiée", "Julien DURAND", JulienRpps, Encrypted: true), inReplyTo: "m1@x.test"),
            [(Attachment(11, "macro.exe", "application/octet-stream", [], refused: "type de fichier interdit"), Array.Empty<byte>())]),
        (Message(3, "m3@x.test", MessageDirection.Incoming, Sophie, "Je passe demain.", 7,
            new SignatureRecord(OpenStatus.UntrustedSigner, "certificat non reconnu", "Sophie LEROY", "10009999999", Encrypted: true)), []),
        (Message(4, "r1@x.test", MessageDirection.Incoming, Julien, "", 8, kind: MessageKind.Receipt), []),
        (Message(5, "g1@x.test", MessageDirection.Outgoing, Claire, "Sophie a été ajoutée", 9, kind: MessageKind.Membership), []),
        (Message(6, "q1@x.test", MessageDirection.Outgoing, Claire, "brouillon en file", 10, state: MessageState.Queued), []),
    ];

    [Test, Explicit("writes a sample export to the test output")]
    public void Sample() => TestContext.Out.WriteLine(ConversationExport.ToBundleJson(Conversation(), Scenario(), T0.AddDays(1)));

    static JsonNode Export(out string json)
    {
        json = ConversationExport.ToBundleJson(Conversation(), Scenario(), T0.AddDays(1));
        return JsonNode.Parse(json)!;
    }

    static IEnumerable<JsonNode> Resources(JsonNode bundle, string type) =>
        bundle["entry"]!.AsArray().Select(e => e!["resource"]!).Where(r => (string?)r["resourceType"] == type);

    static string FullUrlOf(JsonNode bundle, JsonNode resource) =>
        (string)bundle["entry"]!.AsArray().Single(e => ReferenceEquals(e!["resource"], resource))!["fullUrl"]!;

    static JsonNode Resolve(JsonNode bundle, JsonNode? reference) =>
        bundle["entry"]!.AsArray().Single(e => (string?)e!["fullUrl"] == (string?)reference!["reference"])!["resource"]!;

    static JsonNode CommunicationOf(JsonNode bundle, string messageId) =>
        Resources(bundle, "Communication").Single(c => (string?)c["identifier"]![0]!["value"] == "mid:" + messageId);

    [Test]
    public void The_export_is_valid_against_the_FHIR_R4_schema()
    {
        Export(out var json);
        var (valid, errors, elapsed) = FhirSchemaValidator.Validate(json);
        Assert.That(valid, Is.True, () => string.Join("\n", errors) + "\n" + json);
        TestContext.Out.WriteLine($"validated in {elapsed.TotalSeconds:F2} s");
    }

    [Test]
    public void The_validator_rejects_a_broken_export()
    {
        var bundle = Export(out _);
        var communication = Resources(bundle, "Communication").First();
        communication["status"] = 42;                    // code must be a string
        communication["sent"] = "20/11/2026 09:15";      // not a FHIR dateTime
        communication["statut"] = "completed";           // unknown element
        var (valid, errors, _) = FhirSchemaValidator.Validate(bundle.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That(valid, Is.False);
            Assert.That(errors, Has.Some.Contains("/resource/status").And.Contains("not of type 'string'"));
            Assert.That(errors, Has.Some.Contains("/resource/sent").And.Contains("does not match"));
            Assert.That(errors, Has.Some.Contains("'statut' was unexpected"));
        });
    }

    [Test]
    public void The_schema_alone_does_not_check_code_values()
    {
        // Documented limit: the R4 JSON schema types Communication.status as any "code" (no enum), so a wrong code
        // passes the schema. The exporter only ever writes "completed"; a full FHIR validator would catch this one.
        var bundle = Export(out _);
        Resources(bundle, "Communication").First()["status"] = "nonsense";
        Assert.That(FhirSchemaValidator.Validate(bundle.ToJsonString()).IsValid, Is.True);
    }

    [Test]
    public void Only_chat_messages_that_left_or_arrived_are_exported_in_a_collection()
    {
        var bundle = Export(out _);
        Assert.Multiple(() =>
        {
            Assert.That((string?)bundle["resourceType"], Is.EqualTo("Bundle"));
            Assert.That((string?)bundle["type"], Is.EqualTo("collection"));
            Assert.That((string?)bundle["timestamp"], Is.EqualTo("2026-11-21T09:15:30.123+01:00"));
            Assert.That(Resources(bundle, "Communication").Count(), Is.EqualTo(3));
            Assert.That(Resources(bundle, "Patient").Count(), Is.EqualTo(1));
            Assert.That(Resources(bundle, "Practitioner").Count(), Is.EqualTo(3));
            var urls = bundle["entry"]!.AsArray().Select(e => (string?)e!["fullUrl"]).ToList();
            Assert.That(urls, Is.All.StartsWith("urn:uuid:"));
            Assert.That(urls, Is.Unique);
        });
    }

    [Test]
    public void Every_communication_is_about_the_patient_with_the_INS()
    {
        var bundle = Export(out _);
        foreach (var communication in Resources(bundle, "Communication"))
        {
            var patient = Resolve(bundle, communication["subject"]);
            Assert.Multiple(() =>
            {
                Assert.That((string?)patient["resourceType"], Is.EqualTo("Patient"));
                Assert.That((string?)patient["identifier"]![0]!["system"], Is.EqualTo("urn:oid:" + InsOid));
                Assert.That((string?)patient["identifier"]![0]!["value"], Is.EqualTo(Ins));
                Assert.That((string?)patient["name"]![0]!["family"], Is.EqualTo("DUPONT"));
                Assert.That(patient["name"]![0]!["given"]!.AsArray().Select(g => (string?)g), Is.EqualTo(new[] { "Marie", "Louise" }));
                Assert.That((string?)patient["birthDate"], Is.EqualTo("1948-03-12"));
                Assert.That((string?)communication["status"], Is.EqualTo("completed"));
                Assert.That((string?)communication["topic"]!["text"], Is.EqualTo("Plaie du pied – Mme Dupont"));
            });
        }
    }

    [Test]
    public void Text_and_photo_are_intact()
    {
        var bundle = Export(out var json);
        var question = CommunicationOf(bundle, "m1@x.test");
        var payload = question["payload"]!.AsArray();
        var photo = payload[1]!["contentAttachment"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)payload[0]!["contentString"], Is.EqualTo("Bonjour, pouvez-vous regarder cette plaie ?\nMerci."));
            Assert.That((string?)photo["contentType"], Is.EqualTo("image/jpeg"));
            Assert.That((string?)photo["title"], Is.EqualTo("plaie.jpg"));
            Assert.That(Convert.FromBase64String((string)photo["data"]!), Is.EqualTo(Photo));
            Assert.That((long?)photo["size"], Is.EqualTo(Photo.LongLength));
            Assert.That((string?)photo["hash"], Is.EqualTo(Convert.ToBase64String(SHA1.HashData(Photo))));
            Assert.That((string?)question["sent"], Is.EqualTo("2026-11-20T09:15:30.123+01:00"));
            Assert.That(question["received"], Is.Null);
            Assert.That(json, Does.Contain("Mme Dupont"), "accents and dashes written as such");
        });
    }

    [Test]
    public void The_reply_points_at_the_question_and_its_sender_has_the_RPPS()
    {
        var bundle = Export(out _);
        var question = CommunicationOf(bundle, "m1@x.test");
        var reply = CommunicationOf(bundle, "m2@x.test");
        var sender = Resolve(bundle, reply["sender"]);
        var notes = reply["note"]!.AsArray().Select(n => (string?)n!["text"]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((string?)reply["inResponseTo"]![0]!["reference"], Is.EqualTo(FullUrlOf(bundle, question)));
            Assert.That((string?)sender["identifier"]![0]!["system"], Is.EqualTo("urn:oid:1.2.250.1.71.4.2.1"));
            Assert.That((string?)sender["identifier"]![0]!["value"], Is.EqualTo("8" + JulienRpps));
            Assert.That((string?)sender["name"]![0]!["text"], Is.EqualTo("Julien DURAND"));
            Assert.That((string?)sender["telecom"]![0]!["value"], Is.EqualTo(Julien));
            Assert.That((string?)reply["received"], Is.EqualTo("2026-11-20T09:20:34.123+01:00"));
            Assert.That(reply["payload"]!.AsArray(), Has.Count.EqualTo(1), "the refused file is not exported");
            Assert.That(notes, Has.Some.StartsWith("Signature vérifiée : Julien DURAND (RPPS 10001234567)"));
            Assert.That(notes, Has.Some.Contains("macro.exe").And.Contains("type de fichier interdit"));
            Assert.That(question["inResponseTo"], Is.Null);
            Assert.That(reply["recipient"]!.AsArray().Select(r => (string?)Resolve(bundle, r)["telecom"]![0]!["value"]),
                Is.EquivalentTo(new[] { Claire, Sophie }));
        });
    }

    [Test]
    public void An_unverified_signature_is_said_and_its_RPPS_not_trusted()
    {
        var bundle = Export(out _);
        var message = CommunicationOf(bundle, "m3@x.test");
        var sender = Resolve(bundle, message["sender"]);
        Assert.Multiple(() =>
        {
            Assert.That((string?)message["note"]![0]!["text"], Does.StartWith("Signature non vérifiée : certificat non reconnu"));
            Assert.That(sender["identifier"], Is.Null);
            Assert.That(sender["name"], Is.Null);
            Assert.That((string?)message["sender"]!["display"], Is.EqualTo(Sophie));
        });
    }

    [Test]
    public void French_non_breaking_spaces_and_control_characters_become_valid_FHIR_strings()
    {
        var messages = new List<(StoredMessage, IReadOnlyList<(StoredAttachment, byte[])>)>
        {
            (Message(1, "<nb@x.test>", MessageDirection.Outgoing, Claire, "Tension\u202F: 12/8\u00A0!\u0007", 0), []),
        };
        var json = ConversationExport.ToBundleJson(Conversation() with { Patient = null, Name = null }, messages, T0);
        var bundle = JsonNode.Parse(json)!;
        var communication = Resources(bundle, "Communication").Single();
        Assert.Multiple(() =>
        {
            Assert.That((string?)communication["payload"]![0]!["contentString"], Is.EqualTo("Tension : 12/8 !"));
            Assert.That((string?)communication["identifier"]![0]!["value"], Is.EqualTo("mid:nb@x.test"));
            Assert.That(communication["subject"], Is.Null);
            Assert.That((string?)communication["topic"]!["text"], Is.EqualTo("Plaie"));
        });
        Assert.That(FhirSchemaValidator.Validate(json).IsValid, Is.True);
    }

    [Test]
    public void A_tampered_attachment_is_not_exported_silently()
    {
        var messages = Scenario();
        var (message, attachments) = messages[0];
        messages[0] = (message, [(attachments[0].Attachment, new byte[] { 1, 2, 3 })]);
        Assert.Throws<InvalidDataException>(() => ConversationExport.ToBundleJson(Conversation(), messages, T0));
    }

    [Test]
    public async Task The_store_overload_exports_the_chosen_messages()
    {
        var directory = Directory.CreateTempSubdirectory("miss-fhir-").FullName;
        try
        {
            var db = StoreDatabase.Open(Path.Combine(directory, "miss.db"));
            var store = new MessageStore(db, BlobStore.Open(directory), TimeProvider.System);
            var template = Conversation();
            var conversation = await new ConversationStore(db, TimeProvider.System).CreateAsync(template.ConversationId, template.Kind,
                template.Name, template.Membership, template.Patient, template.Retention);
            var sent = await store.EnqueueAsync(new OutgoingDraft(Claire, [Julien], null, "Question", Conversation: conversation.Id,
                Attachments: [new NewAttachment("plaie.jpg", "image/jpeg", Photo)]));
            await store.MarkSentAsync(sent.Id);
            await store.SaveReceivedAsync(new ReceivedMessage("rep@x.test", Julien, null, [Claire], null, "Réponse", T0,
                new SignatureRecord(OpenStatus.Verified, "ok", "Julien DURAND", JulienRpps, true), Conversation: conversation.Id, InReplyTo: sent.MessageId));
            await store.SaveReceivedAsync(new ReceivedMessage("other@x.test", Julien, null, [Claire], null, "Autre", T0,
                new SignatureRecord(OpenStatus.Verified, "ok", "Julien DURAND", JulienRpps, true), Conversation: conversation.Id));

            var all = JsonNode.Parse(await ConversationExport.ToBundleJsonAsync(store, conversation, T0))!;
            var chosen = JsonNode.Parse(await ConversationExport.ToBundleJsonAsync(store, conversation, T0, [sent.MessageId, "rep@x.test"]))!;
            var reply = CommunicationOf(chosen, "rep@x.test");
            var question = CommunicationOf(chosen, sent.MessageId);
            Assert.Multiple(() =>
            {
                Assert.That(Resources(all, "Communication").Count(), Is.EqualTo(3));
                Assert.That(Resources(chosen, "Communication").Count(), Is.EqualTo(2));
                Assert.That((string?)reply["inResponseTo"]![0]!["reference"], Is.EqualTo(FullUrlOf(chosen, question)));
                Assert.That(Convert.FromBase64String((string)question["payload"]![1]!["contentAttachment"]!["data"]!), Is.EqualTo(Photo));
            });

            // Once a message has expired there is nothing left of it to export.
            await new ExpiryStore(db, BlobStore.Open(directory), TimeProvider.System).EraseAsync((await store.GetAsync("other@x.test"))!.Id);
            var afterExpiry = JsonNode.Parse(await ConversationExport.ToBundleJsonAsync(store, conversation, T0))!;
            Assert.That(Resources(afterExpiry, "Communication").Count(), Is.EqualTo(2));
            Assert.That(afterExpiry.ToJsonString(), Does.Not.Contain("Autre"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
