using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Storage;

namespace MiSS.Core.Fhir;

/// <summary>A conversation exported as FHIR JSON, and how many messages it holds.</summary>
public sealed record ExportedBundle(string Json, int Messages);

/// <summary>
/// Exports a conversation (or chosen messages) to the patient record as a FHIR R4 <c>Bundle</c> of type
/// <c>collection</c> holding one <c>Communication</c> per chat message, the <c>Patient</c> and the <c>Practitioner</c>s.
/// See <c>README.md</c> in this folder for the mapping and the decisions.
/// </summary>
public static class ConversationExport
{
    /// <summary>Identifier system of the national practitioner identifier (idNat_PS; RPPS prefixed with 8).</summary>
    public const string IdNatPsSystem = "urn:oid:1.2.250.1.71.4.2.1";

    /// <summary>Identifier system for values that are URIs (Message-IDs as <c>mid:</c>, export ids as <c>urn:uuid:</c>).</summary>
    public const string UriSystem = "urn:ietf:rfc:3986";

    /// <summary>Default INS authority (NIR) when the patient context names none.</summary>
    public const string DefaultInsOid = "1.2.250.1.213.1.4.8";

    /// <summary>A message to export with its attachments and their bytes (empty bytes for refused attachments).</summary>
    public static string ToBundleJson(Conversation conversation,
        IReadOnlyList<(StoredMessage Message, IReadOnlyList<(StoredAttachment Attachment, byte[] Content)> Attachments)> messages,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(messages);
        return JsonSerializer.Serialize(ToBundle(conversation, messages, now), FhirJsonContext.Fhir.FhirResource);
    }

    /// <summary>
    /// Reads the conversation's messages from the store and exports them: all of them, or only those whose Message-ID is in
    /// <paramref name="messageIds"/>. Takes the <see cref="Conversation"/> itself (not only its id) because the patient and
    /// the group name live there.
    /// </summary>
    public static async Task<string> ToBundleJsonAsync(MessageStore store, Conversation conversation, DateTimeOffset now,
        IReadOnlyCollection<string>? messageIds = null, CancellationToken ct = default) =>
        (await ExportAsync(store, conversation, now, messageIds, ct)).Json;

    /// <summary>
    /// As <see cref="ToBundleJsonAsync"/>, with the number of messages the bundle holds (for the audit trail, which records
    /// that a conversation left the machine and how much of it).
    /// </summary>
    public static async Task<ExportedBundle> ExportAsync(MessageStore store, Conversation conversation, DateTimeOffset now,
        IReadOnlyCollection<string>? messageIds = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(conversation);
        var wanted = messageIds is null ? null : new HashSet<string>(messageIds, StringComparer.Ordinal);
        var stored = await store.ListConversationAsync(conversation.Id, int.MaxValue, ct: ct);
        var selected = new List<(StoredMessage, IReadOnlyList<(StoredAttachment, byte[])>)>();
        foreach (var message in stored)
        {
            if (!IsExported(message) || (wanted is not null && !wanted.Contains(message.MessageId)))
            {
                continue;
            }
            var attachments = new List<(StoredAttachment, byte[])>();
            foreach (var attachment in await store.AttachmentsAsync(message.Id, ct))
            {
                attachments.Add((attachment, attachment.IsRefused ? [] : store.ReadAttachment(attachment)));
            }
            selected.Add((message, attachments));
        }
        return new ExportedBundle(ToBundleJson(conversation, selected, now), selected.Count);
    }

    /// <summary>Builds the bundle (exposed for callers that want the object rather than its JSON).</summary>
    public static FhirBundle ToBundle(Conversation conversation,
        IReadOnlyList<(StoredMessage Message, IReadOnlyList<(StoredAttachment Attachment, byte[] Content)> Attachments)> messages,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(messages);
        var kept = messages.Where(m => IsExported(m.Message)).ToList();
        var entries = new List<FhirBundleEntry>();

        string? patientUrl = null;
        if (conversation.Patient is { } patient)
        {
            patientUrl = NewUrl();
            entries.Add(new FhirBundleEntry(patientUrl, ToPatient(patient)));
        }

        // Every message gets its URL first, so that a reply can point at a message listed after it.
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (message, _) in kept)
        {
            urls.TryAdd(message.MessageId, NewUrl());
        }

        var practitioners = new Practitioners(kept.Select(m => m.Message));
        var communications = new List<FhirBundleEntry>();
        foreach (var (message, attachments) in kept)
        {
            communications.Add(new FhirBundleEntry(urls[message.MessageId],
                ToCommunication(conversation, message, attachments, patientUrl, urls, practitioners)));
        }
        entries.AddRange(practitioners.Entries);
        entries.AddRange(communications);
        return new FhirBundle("collection", new FhirIdentifier(UriSystem, NewUrl()), now, entries);
    }

    /// <summary>Only chat messages that really left or arrived are exported (no receipts, membership changes, drafts or failures).</summary>
    static bool IsExported(StoredMessage message) =>
        message.Kind == MessageKind.Text && message.State is MessageState.Sent or MessageState.Received;

    static FhirPatient ToPatient(PatientContext patient)
    {
        IReadOnlyList<FhirIdentifier>? identifier = string.IsNullOrWhiteSpace(patient.Ins)
            ? null
            : [new FhirIdentifier("urn:oid:" + (patient.InsOid ?? DefaultInsOid), patient.Ins)];
        var given = patient.GivenNames.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var name = new FhirHumanName(Family: Clean(patient.FamilyName), Given: given.Length == 0 ? null : given.Select(g => Clean(g)!).ToList(),
            Use: identifier is null ? "usual" : "official");
        var birthDate = DateOnly.TryParseExact(patient.BirthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
        return new FhirPatient(identifier, [name], birthDate);
    }

    static FhirCommunication ToCommunication(Conversation conversation, StoredMessage message,
        IReadOnlyList<(StoredAttachment Attachment, byte[] Content)> attachments, string? patientUrl,
        IReadOnlyDictionary<string, string> urls, Practitioners practitioners)
    {
        var payload = new List<FhirCommunicationPayload>();
        if (Clean(message.Body) is { } text)
        {
            payload.Add(new FhirCommunicationPayload(ContentString: text));
        }
        var notes = new List<FhirAnnotation>();
        if (message.Direction == MessageDirection.Incoming)
        {
            notes.Add(new FhirAnnotation(SignatureNote(message.Signature)));
        }
        foreach (var (attachment, content) in attachments)
        {
            if (attachment.IsRefused)
            {
                notes.Add(new FhirAnnotation(Clean($"Pièce jointe refusée à la réception, non exportée : {attachment.FileName} ({attachment.RefusedReason})")!));
                continue;
            }
            var sha256 = Convert.ToHexString(SHA256.HashData(content));
            if (!sha256.Equals(attachment.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Attachment {attachment.Id}: content does not match its stored SHA-256.");
            }
            payload.Add(new FhirCommunicationPayload(ContentAttachment: new FhirAttachment(attachment.MediaType, Convert.ToBase64String(content),
                content.LongLength, Convert.ToBase64String(SHA1.HashData(content)), Clean(attachment.FileName) ?? "piece-jointe")));
        }
        var topic = Clean(conversation.Name) ?? Clean(message.Subject);
        var inResponseTo = message.InReplyTo is { } parent && urls.TryGetValue(parent, out var parentUrl)
            ? new List<FhirReference> { new(parentUrl) }
            : null;
        return new FhirCommunication
        {
            Identifier = [new FhirIdentifier(UriSystem, MidUri(message.MessageId))],
            InResponseTo = inResponseTo,
            Status = "completed",
            Subject = patientUrl is null ? null : new FhirReference(patientUrl),
            Topic = topic is null ? null : new FhirCodeableConcept(topic),
            Sent = message.SentAt ?? (message.Direction == MessageDirection.Outgoing ? message.CreatedAt : null),
            Received = message.Direction == MessageDirection.Incoming ? message.ReceivedAt : null,
            Recipient = message.Recipients.Count == 0 ? null : message.Recipients.Select(practitioners.Reference).ToList(),
            Sender = practitioners.Reference(message.Sender),
            Payload = payload.Count == 0 ? null : payload,
            Note = notes.Count == 0 ? null : notes,
        };
    }

    static string SignatureNote(SignatureRecord? signature)
    {
        if (signature is null)
        {
            return "Signature non vérifiée : état inconnu";
        }
        var encrypted = signature.Encrypted ? " ; message reçu chiffré" : " ; message reçu non chiffré";
        if (signature.IsVerified)
        {
            var who = signature.SignerName ?? "signataire";
            var rpps = signature.SignerRpps is null ? "" : $" (RPPS {signature.SignerRpps})";
            return Clean($"Signature vérifiée : {who}{rpps}{encrypted}")!;
        }
        return Clean($"Signature non vérifiée : {signature.Detail}{encrypted}")!;
    }

    /// <summary>The Message-ID as an RFC 2392 <c>mid:</c> URI (angle brackets removed, reserved characters percent-encoded).</summary>
    internal static string MidUri(string messageId) =>
        "mid:" + Uri.EscapeDataString(messageId.Trim().TrimStart('<').TrimEnd('>')).Replace("%40", "@", StringComparison.Ordinal);

    static string NewUrl() => "urn:uuid:" + Guid.NewGuid().ToString("D");

    /// <summary>
    /// Makes a text acceptable as a FHIR <c>string</c> (pattern <c>^[ \r\n\t\S]+$</c>): whitespace other than space, CR, LF
    /// and tab (e.g. the French non-breaking spaces U+00A0 and U+202F) becomes a space, other control characters are removed.
    /// Null when nothing but whitespace is left.
    /// </summary>
    internal static string? Clean(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is ' ' or '\r' or '\n' or '\t')
            {
                builder.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                builder.Append(' ');
            }
            else if (!char.IsControl(c) && c != '\uFEFF')
            {
                builder.Append(c);
            }
        }
        var result = builder.ToString();
        return string.IsNullOrWhiteSpace(result) ? null : result;
    }

    /// <summary>One Practitioner entry per mailbox; the RPPS comes only from a verified signature of a message that mailbox sent.</summary>
    sealed class Practitioners
    {
        readonly Dictionary<string, (string Url, string? Name, string? Rpps)> _byAddress = new(StringComparer.OrdinalIgnoreCase);
        readonly List<string> _order = [];

        public Practitioners(IEnumerable<StoredMessage> messages)
        {
            foreach (var message in messages)
            {
                var verified = message.Direction == MessageDirection.Incoming && message.Signature is { IsVerified: true };
                Add(message.Sender, verified ? message.Signature!.SignerName : null, verified ? message.Signature!.SignerRpps : null);
                foreach (var recipient in message.Recipients)
                {
                    Add(recipient, null, null);
                }
            }
        }

        void Add(string address, string? name, string? rpps)
        {
            if (_byAddress.TryGetValue(address, out var known))
            {
                _byAddress[address] = (known.Url, known.Name ?? name, known.Rpps ?? rpps);
                return;
            }
            _byAddress[address] = (NewUrl(), name, rpps);
            _order.Add(address);
        }

        public FhirReference Reference(string address) =>
            new(_byAddress[address].Url, Clean(_byAddress[address].Name) ?? Clean(address));

        public IEnumerable<FhirBundleEntry> Entries => _order.Select(address =>
        {
            var (url, name, rpps) = _byAddress[address];
            IReadOnlyList<FhirIdentifier>? identifier = string.IsNullOrWhiteSpace(rpps) ? null : [new FhirIdentifier(IdNatPsSystem, "8" + rpps.Trim())];
            IReadOnlyList<FhirHumanName>? names = Clean(name) is { } text ? [new FhirHumanName(Text: text)] : null;
            return new FhirBundleEntry(url, new FhirPractitioner(identifier, names, [new FhirContactPoint("email", address.Trim())]));
        });
    }
}
