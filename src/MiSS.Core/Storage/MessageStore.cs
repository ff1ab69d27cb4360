using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MiSS.Core.Messaging;

namespace MiSS.Core.Storage;

/// <summary>
/// Messages (outbox and received) with their per-recipient states, the IMAP position, the quarantine, and the
/// certificates learned from verified signatures, in the mailbox's <see cref="StoreDatabase"/>.
/// </summary>
public sealed class MessageStore
{
    const string MessageColumns = """
        id, message_id, direction, sender, recipients, subject, body, state, created_at, sent_at, received_at,
        signature, error, attempts, conversation, kind, in_reply_to, message_references, read_at, expires_at, expired_at, content_sha256
        """;

    readonly StoreDatabase _db;
    readonly BlobStore _blobs;
    readonly TimeProvider _time;

    /// <summary>The message store over an open database and its attachment blobs.</summary>
    public MessageStore(StoreDatabase db, BlobStore blobs, TimeProvider time)
    {
        _db = db;
        _blobs = blobs;
        _time = time;
    }

    /// <summary>Opens (creating or migrating) the database at <paramref name="path"/>, with the blobs beside it.</summary>
    public static MessageStore Open(string path, TimeProvider time) =>
        new(StoreDatabase.Open(path), BlobStore.Open(Path.GetDirectoryName(Path.GetFullPath(path))!), time);

    long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Puts a new outgoing message in the outbox; it is durable when this returns.</summary>
    public Task<StoredMessage> EnqueueAsync(string sender, IReadOnlyList<string> recipients, string? subject, string body,
        CancellationToken ct = default) => EnqueueAsync(new OutgoingDraft(sender, recipients, subject, body), ct);

    /// <summary>Puts a new outgoing message in the outbox, with one state row per recipient; durable when this returns.</summary>
    public async Task<StoredMessage> EnqueueAsync(OutgoingDraft draft, CancellationToken ct = default)
    {
        var domain = draft.Sender.Contains('@') ? draft.Sender[(draft.Sender.LastIndexOf('@') + 1)..] : "localhost";
        var messageId = $"{Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}@{domain}";
        var now = Now;
        await using var connection = await _db.ConnectAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using (var insert = StoreDatabase.Command(connection, """
            INSERT INTO messages (message_id, direction, sender, recipients, subject, body, state, created_at, next_attempt_at,
                                  conversation, kind, in_reply_to, message_references)
            VALUES ($message_id, 'Outgoing', $sender, $recipients, $subject, $body, 'Queued', $now, $now,
                    $conversation, $kind, $in_reply_to, $references)
            """,
            ("$message_id", messageId), ("$sender", draft.Sender), ("$recipients", JsonSerializer.Serialize(draft.Recipients)),
            ("$subject", draft.Subject), ("$body", draft.Body), ("$now", now), ("$conversation", draft.Conversation),
            ("$kind", draft.Kind.ToString()), ("$in_reply_to", draft.InReplyTo), ("$references", JsonSerializer.Serialize(draft.References ?? []))))
        {
            insert.Transaction = transaction;
            await insert.ExecuteNonQueryAsync(ct);
        }
        await InsertAttachmentsAsync(connection, transaction, messageId, draft.Attachments, ct);
        foreach (var recipient in draft.Recipients.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            await using var state = StoreDatabase.Command(connection, """
                INSERT INTO message_recipients (message, address, state, updated_at)
                VALUES ((SELECT id FROM messages WHERE message_id = $message_id), $address, 'Queued', $now)
                """, ("$message_id", messageId), ("$address", recipient), ("$now", now));
            state.Transaction = transaction;
            await state.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return (await GetAsync(messageId, ct))!;
    }

    /// <summary>Queued messages whose next attempt is due, oldest first.</summary>
    public Task<IReadOnlyList<StoredMessage>> DueOutgoingAsync(int max, CancellationToken ct = default) =>
        QueryMessagesAsync($"""
            SELECT {MessageColumns} FROM messages
            WHERE state = 'Queued' AND next_attempt_at <= $now AND expired_at IS NULL ORDER BY id LIMIT $max
            """, ct, ("$now", Now), ("$max", max));

    /// <summary>
    /// Records that the SMTP server accepted the message, except for the <paramref name="refused"/> recipients (with
    /// reasons); its lifetime starts now and ends at <paramref name="expiresAt"/> (the value the message carries).
    /// The <paramref name="transportOnly"/> recipients got it signed but not encrypted; the others, end to end. The states
    /// and <paramref name="audit"/> commit together.
    /// </summary>
    public Task MarkSentAsync(long id, IReadOnlyDictionary<string, string>? refused = null, DateTimeOffset? expiresAt = null,
        IReadOnlyCollection<string>? transportOnly = null, Audit.AuditEvent? audit = null, CancellationToken ct = default) =>
        _db.InTransactionAsync(async transaction =>
        {
            var now = Now;
            await StoreDatabase.ExecuteAsync(transaction, """
                UPDATE messages SET state = 'Sent', sent_at = $now, error = NULL, next_attempt_at = NULL, attempts = attempts + 1,
                                    expires_at = $expires
                WHERE id = $id
                """, ct, ("$id", id), ("$now", now), ("$expires", expiresAt?.ToUnixTimeMilliseconds()));
            await StoreDatabase.ExecuteAsync(transaction, """
                UPDATE message_recipients SET state = 'Sent', updated_at = $now, protection = 'EndToEnd' WHERE message = $id AND state = 'Queued'
                """, ct, ("$id", id), ("$now", now));
            foreach (var address in transportOnly ?? [])
            {
                await StoreDatabase.ExecuteAsync(transaction, "UPDATE message_recipients SET protection = 'Transport' WHERE message = $id AND address = $address",
                    ct, ("$id", id), ("$address", address));
            }
            foreach (var (address, reason) in refused ?? new Dictionary<string, string>())
            {
                await StoreDatabase.ExecuteAsync(transaction, AdvanceRecipient, ct, ("$id", id), ("$address", address),
                    ("$state", nameof(DeliveryState.Failed)), ("$reason", reason), ("$now", now));
            }
            await AppendAuditAsync(transaction, audit, ct);
            return true;
        }, ct);

    /// <summary>Records a failed attempt that will be retried at <paramref name="nextAttempt"/>.</summary>
    public Task ScheduleRetryAsync(long id, string error, DateTimeOffset nextAttempt, CancellationToken ct = default) =>
        _db.ExecuteAsync("UPDATE messages SET error = $error, attempts = attempts + 1, next_attempt_at = $next WHERE id = $id",
            ct, ("$id", id), ("$error", error), ("$next", nextAttempt.ToUnixTimeMilliseconds()));

    /// <summary>
    /// Records that the message cannot be sent, with the reason shown to the practitioner; its content is erased at
    /// <paramref name="expiresAt"/> like that of a sent message. The states and <paramref name="audit"/> commit together.
    /// </summary>
    public Task MarkFailedAsync(long id, string reason, DateTimeOffset? expiresAt = null, Audit.AuditEvent? audit = null,
        CancellationToken ct = default) =>
        _db.InTransactionAsync(async transaction =>
        {
            await StoreDatabase.ExecuteAsync(transaction, """
                UPDATE messages SET state = 'Failed', error = $error, attempts = attempts + 1, next_attempt_at = NULL, expires_at = $expires
                WHERE id = $id
                """, ct, ("$id", id), ("$error", reason), ("$expires", expiresAt?.ToUnixTimeMilliseconds()));
            await StoreDatabase.ExecuteAsync(transaction, "UPDATE message_recipients SET state = 'Failed', reason = $reason, updated_at = $now WHERE message = $id",
                ct, ("$id", id), ("$reason", reason), ("$now", Now));
            await AppendAuditAsync(transaction, audit, ct);
            return true;
        }, ct);

    /// <summary>The audit record of a change, in the change's own transaction (none when <paramref name="audit"/> is null).</summary>
    async Task AppendAuditAsync(SqliteTransaction transaction, Audit.AuditEvent? audit, CancellationToken ct)
    {
        if (audit is not null)
        {
            await Audit.AuditTrail.AppendWithinAsync(transaction, _time.GetUtcNow(), audit, ct);
        }
    }

    /// <summary>Moves a recipient's state forward only: a late delivery report does not undo a read receipt; a failure is final.</summary>
    const string AdvanceRecipient = """
        UPDATE message_recipients SET state = $state, reason = $reason, updated_at = $now
        WHERE message = $id AND address = $address AND state <> 'Failed'
          AND (CASE state WHEN 'Queued' THEN 0 WHEN 'Sent' THEN 1 WHEN 'Delivered' THEN 2 WHEN 'Read' THEN 3 END)
            < (CASE $state WHEN 'Queued' THEN 0 WHEN 'Sent' THEN 1 WHEN 'Delivered' THEN 2 WHEN 'Read' THEN 3 ELSE 4 END)
        """;

    /// <summary>
    /// Moves one recipient's state forward (delivered, read, failed). States only advance: a late delivery report does
    /// not undo a read receipt; a failure is final.
    /// </summary>
    public async Task<bool> SetRecipientStateAsync(long id, string address, DeliveryState state, string? reason, CancellationToken ct = default) =>
        await _db.ExecuteAsync(AdvanceRecipient, ct, ("$id", id), ("$address", address), ("$state", state.ToString()), ("$reason", reason),
            ("$now", Now)) > 0;

    /// <summary>Each recipient's state for a message.</summary>
    public Task<IReadOnlyList<RecipientState>> RecipientStatesAsync(long id, CancellationToken ct = default) =>
        _db.QueryAsync("SELECT address, state, reason, updated_at, protection FROM message_recipients WHERE message = $id ORDER BY address",
            r => new RecipientState(r.GetString(0), Enum.Parse<DeliveryState>(r.GetString(1)), r.IsDBNull(2) ? null : r.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), r.IsDBNull(4) ? null : Enum.Parse<Protection>(r.GetString(4))), ct, ("$id", id));

    /// <summary>
    /// Stores a received message, its attachments and <paramref name="audit"/>, together. Returns false (and records
    /// nothing) when a message with that Message-ID is already stored.
    /// </summary>
    public async Task<bool> SaveReceivedAsync(ReceivedMessage message, Audit.AuditEvent? audit = null, CancellationToken ct = default)
    {
        var now = Now;
        await using var connection = await _db.ConnectAsync(ct);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = StoreDatabase.Command(connection, """
            INSERT INTO messages (message_id, direction, sender, recipients, subject, body, state, created_at, received_at, signature,
                                  conversation, kind, in_reply_to, message_references, expires_at)
            VALUES ($message_id, 'Incoming', $sender, $recipients, $subject, $body, 'Received', $created, $now, $signature,
                    $conversation, $kind, $in_reply_to, $references, $expires)
            ON CONFLICT (message_id) DO NOTHING
            """,
            ("$message_id", message.MessageId), ("$sender", message.Sender), ("$recipients", JsonSerializer.Serialize(message.Recipients)),
            ("$subject", message.Subject), ("$body", message.Body), ("$created", message.SentAt?.ToUnixTimeMilliseconds() ?? now),
            ("$now", now), ("$signature", JsonSerializer.Serialize(message.Signature)), ("$conversation", message.Conversation),
            ("$kind", message.Kind.ToString()), ("$in_reply_to", message.InReplyTo),
            ("$references", JsonSerializer.Serialize(message.References ?? [])), ("$expires", message.ExpiresAt?.ToUnixTimeMilliseconds()));
        insert.Transaction = transaction;
        if (await insert.ExecuteNonQueryAsync(ct) == 0)
        {
            return false;
        }
        await InsertAttachmentsAsync(connection, transaction, message.MessageId, message.Attachments, ct);
        await AppendAuditAsync(transaction, audit, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    const string AttachmentColumns = "id, position, file_name, media_type, size, sha256, blob, thumbnail_blob, width, height, refused_reason";

    /// <summary>The attachments of a message, in order.</summary>
    public Task<IReadOnlyList<StoredAttachment>> AttachmentsAsync(long messageId, CancellationToken ct = default) =>
        _db.QueryAsync($"SELECT {AttachmentColumns} FROM attachments WHERE message = $message ORDER BY position", ReadAttachmentRow, ct,
            ("$message", messageId));

    /// <summary>One attachment by its id (none once its message expired).</summary>
    public async Task<StoredAttachment?> FindAttachmentAsync(long id, CancellationToken ct = default) =>
        (await _db.QueryAsync($"SELECT {AttachmentColumns} FROM attachments WHERE id = $id", ReadAttachmentRow, ct, ("$id", id))).FirstOrDefault();

    static StoredAttachment ReadAttachmentRow(SqliteDataReader r) => new(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetString(3),
        r.GetInt64(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetInt32(8), r.IsDBNull(9) ? null : r.GetInt32(9), r.IsDBNull(10) ? null : r.GetString(10));

    /// <summary>How many messages wait in the outbox.</summary>
    public async Task<int> CountQueuedAsync(CancellationToken ct = default) =>
        (await _db.QueryAsync("SELECT count(*) FROM messages WHERE state = 'Queued' AND expired_at IS NULL", r => r.GetInt32(0), ct))[0];

    /// <summary>The bytes of a stored attachment (decrypted).</summary>
    public byte[] ReadAttachment(StoredAttachment attachment) =>
        _blobs.Get(attachment.Blob ?? throw new InvalidOperationException($"la pièce jointe a été refusée : {attachment.RefusedReason}"));

    /// <summary>The thumbnail of a stored photo, if it has one.</summary>
    public byte[]? ReadThumbnail(StoredAttachment attachment) => attachment.ThumbnailBlob is { } blob ? _blobs.Get(blob) : null;

    /// <summary>
    /// Writes the blobs first (durable), then the rows in the message's transaction: a crash leaves at worst an
    /// unreferenced blob, never a row without its bytes.
    /// </summary>
    async Task InsertAttachmentsAsync(SqliteConnection connection, SqliteTransaction transaction, string messageId,
        IReadOnlyList<NewAttachment>? attachments, CancellationToken ct)
    {
        for (var position = 0; position < (attachments?.Count ?? 0); position++)
        {
            var a = attachments![position];
            var blob = a.RefusedReason is null ? _blobs.Put(a.Content) : null;
            var thumbnail = a.RefusedReason is null && a.Thumbnail is { } t ? _blobs.Put(t) : null;
            await using var insert = StoreDatabase.Command(connection, """
                INSERT INTO attachments (message, position, file_name, media_type, size, sha256, blob, thumbnail_blob, width, height, refused_reason)
                VALUES ((SELECT id FROM messages WHERE message_id = $message_id), $position, $name, $type, $size, $sha256, $blob, $thumbnail,
                        $width, $height, $refused)
                """, ("$message_id", messageId), ("$position", position), ("$name", a.FileName), ("$type", a.MediaType),
                ("$size", a.Content.LongLength), ("$sha256", Convert.ToHexString(SHA256.HashData(a.Content)).ToLowerInvariant()),
                ("$blob", blob), ("$thumbnail", thumbnail), ("$width", a.Width), ("$height", a.Height), ("$refused", a.RefusedReason));
            insert.Transaction = transaction;
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Marks received messages as read here; returns those that were not read before.</summary>
    public async Task<IReadOnlyList<StoredMessage>> MarkReadAsync(IEnumerable<string> messageIds, CancellationToken ct = default)
    {
        var newlyRead = new List<StoredMessage>();
        foreach (var messageId in messageIds.Distinct())
        {
            if (await _db.ExecuteAsync("UPDATE messages SET read_at = $now WHERE message_id = $id AND direction = 'Incoming' AND read_at IS NULL",
                    ct, ("$id", messageId), ("$now", Now)) == 1)
            {
                newlyRead.Add((await GetAsync(messageId, ct))!);
            }
        }
        return newlyRead;
    }

    /// <summary>True when a message with this Message-ID is stored (sent or received).</summary>
    public async Task<bool> ContainsAsync(string messageId, CancellationToken ct = default) => await GetAsync(messageId, ct) is not null;

    /// <summary>The message with this Message-ID, if stored.</summary>
    public async Task<StoredMessage?> GetAsync(string messageId, CancellationToken ct = default) =>
        (await QueryMessagesAsync($"SELECT {MessageColumns} FROM messages WHERE message_id = $id", ct, ("$id", messageId))).FirstOrDefault();

    /// <summary>The latest messages, newest first.</summary>
    public Task<IReadOnlyList<StoredMessage>> ListAsync(int limit, CancellationToken ct = default) =>
        QueryMessagesAsync($"SELECT {MessageColumns} FROM messages ORDER BY created_at DESC, id DESC LIMIT $limit", ct, ("$limit", limit));

    /// <summary>
    /// The live messages of a conversation (receipts and expired ones excluded), in the order they were written or arrived here: the senders'
    /// Date headers have only second precision and other machines' clocks, so they cannot order a fast exchange.
    /// </summary>
    /// <param name="limit">At most this many, the latest ones.</param>
    /// <param name="before">Only those written before the message of this local id: the previous page.</param>
    public Task<IReadOnlyList<StoredMessage>> ListConversationAsync(long conversation, int limit = 1000, long? before = null,
        CancellationToken ct = default) =>
        QueryMessagesAsync($"""
            SELECT {MessageColumns} FROM (
                SELECT * FROM messages WHERE conversation = $conversation AND kind <> 'Receipt' AND expired_at IS NULL
                    {(before is null ? "" : "AND id < $before")}
                ORDER BY id DESC LIMIT $limit)
            ORDER BY id
            """, ct, ("$conversation", conversation), ("$limit", limit), ("$before", before));

    /// <summary>
    /// Per conversation (every one, or only <paramref name="conversation"/>): received messages not read yet, and the
    /// next expiry of a live message.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, (int Unread, DateTimeOffset? NextExpiry)>> ActivityAsync(long? conversation = null,
        CancellationToken ct = default)
    {
        // One indexed look-up per conversation (migration 10) rather than one pass over every message.
        var rows = await _db.QueryAsync("""
            SELECT c.id,
                   (SELECT count(*) FROM messages m WHERE m.conversation = c.id
                        AND m.direction = 'Incoming' AND m.read_at IS NULL AND m.expired_at IS NULL AND m.kind <> 'Receipt'),
                   (SELECT min(m.expires_at) FROM messages m WHERE m.conversation = c.id AND m.expired_at IS NULL AND m.expires_at IS NOT NULL)
            FROM conversations c WHERE $conversation IS NULL OR c.id = $conversation
            """, r => (r.GetInt64(0), r.GetInt32(1), r.IsDBNull(2) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2))), ct,
            ("$conversation", conversation));
        return rows.ToDictionary(r => r.Item1, r => (r.Item2, r.Item3));
    }

    /// <summary>
    /// The Message-IDs a new message of the conversation lists in References, oldest first: the first of the thread and
    /// the latest ones, <paramref name="count"/> at most (two small queries, whatever the conversation's length).
    /// </summary>
    public async Task<IReadOnlyList<string>> ThreadReferencesAsync(long conversation, int count, CancellationToken ct = default)
    {
        const string Live = "conversation = $conversation AND kind <> 'Receipt' AND expired_at IS NULL";
        var first = await _db.QueryAsync($"SELECT id, message_id FROM messages WHERE {Live} ORDER BY id LIMIT 1",
            r => (r.GetInt64(0), r.GetString(1)), ct, ("$conversation", conversation));
        var latest = await _db.QueryAsync($"SELECT id, message_id FROM messages WHERE {Live} ORDER BY id DESC LIMIT $count",
            r => (r.GetInt64(0), r.GetString(1)), ct, ("$conversation", conversation), ("$count", count - 1));
        return first.Concat(latest).DistinctBy(m => m.Item1).OrderBy(m => m.Item1).Select(m => m.Item2).ToList();
    }

    /// <summary>The conversation a Message-ID belongs to, if that message is stored in one.</summary>
    public async Task<long?> ConversationOfAsync(IEnumerable<string> messageIds, CancellationToken ct = default)
    {
        foreach (var messageId in messageIds)
        {
            var found = await _db.QueryAsync("SELECT conversation FROM messages WHERE message_id = $id AND conversation IS NOT NULL",
                r => r.GetInt64(0), ct, ("$id", messageId));
            if (found.Count > 0)
            {
                return found[0];
            }
        }
        return null;
    }

    /// <summary>Where reading a mailbox stopped: its UIDVALIDITY and the last UID handled.</summary>
    public async Task<(uint UidValidity, uint LastUid)?> GetMailboxPositionAsync(string mailbox, CancellationToken ct = default)
    {
        var rows = await _db.QueryAsync("SELECT uid_validity, last_uid FROM mailbox_positions WHERE mailbox = $mailbox",
            r => ((uint)r.GetInt64(0), (uint)r.GetInt64(1)), ct, ("$mailbox", mailbox));
        return rows.Count > 0 ? rows[0] : null;
    }

    /// <summary>Records the last UID handled in a mailbox.</summary>
    public Task SaveMailboxPositionAsync(string mailbox, uint uidValidity, uint lastUid, CancellationToken ct = default) =>
        _db.ExecuteAsync("""
            INSERT INTO mailbox_positions (mailbox, uid_validity, last_uid) VALUES ($mailbox, $validity, $uid)
            ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid
            """, ct, ("$mailbox", mailbox), ("$validity", (long)uidValidity), ("$uid", (long)lastUid));

    /// <summary>
    /// Keeps a message that could not be accepted, with the reason, so nothing is lost and it is not retried forever;
    /// <paramref name="audit"/> commits with it.
    /// </summary>
    public Task QuarantineAsync(string mailbox, uint uid, string? messageId, string reason, string detail, byte[] raw,
        Audit.AuditEvent? audit = null, CancellationToken ct = default) =>
        _db.InTransactionAsync(async transaction =>
        {
            await StoreDatabase.ExecuteAsync(transaction, """
                INSERT INTO quarantine (mailbox, uid, message_id, reason, detail, raw, received_at)
                VALUES ($mailbox, $uid, $message_id, $reason, $detail, $raw, $now)
                """, ct, ("$mailbox", mailbox), ("$uid", (long)uid), ("$message_id", messageId), ("$reason", reason), ("$detail", detail),
                ("$raw", raw), ("$now", Now));
            await AppendAuditAsync(transaction, audit, ct);
            return true;
        }, ct);

    const string QuarantineColumns = "id, mailbox, uid, message_id, reason, detail, received_at, length(raw), erased_at";

    /// <summary>The quarantined messages with their reasons and sizes, newest first (without their raw bytes).</summary>
    /// <param name="limit">At most this many, the newest ones (all when null).</param>
    /// <param name="before">Only those kept apart before this one (by id): the next page.</param>
    public Task<IReadOnlyList<QuarantinedMessage>> ListQuarantineAsync(int? limit = null, long? before = null, CancellationToken ct = default) =>
        _db.QueryAsync($"SELECT {QuarantineColumns} FROM quarantine {(before is null ? "" : "WHERE id < $before")} ORDER BY id DESC LIMIT $limit",
            ReadQuarantineRow, ct, ("$limit", limit ?? -1), ("$before", before));

    /// <summary>One quarantined message and its raw bytes (empty once erased), or null when there is none with this id.</summary>
    public async Task<(QuarantinedMessage Message, byte[] Raw)?> FindQuarantinedAsync(long id, CancellationToken ct = default)
    {
        var rows = await _db.QueryAsync($"SELECT {QuarantineColumns}, raw FROM quarantine WHERE id = $id",
            r => (ReadQuarantineRow(r), r.GetFieldValue<byte[]>(9)), ct, ("$id", id));
        return rows.Count > 0 ? rows[0] : null;
    }

    static QuarantinedMessage ReadQuarantineRow(SqliteDataReader r) => new(r.GetInt64(0), r.GetString(1), (uint)r.GetInt64(2),
        r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
        r.GetInt64(7), r.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)));

    /// <summary>Remembers a certificate for an address (from a verified signature, the directory, or a manual import).</summary>
    public Task SaveCertificateAsync(string address, X509Certificate2 certificate, string source, CancellationToken ct = default) =>
        _db.ExecuteAsync("""
            INSERT INTO certificates (address, thumbprint, der, source, learned_at) VALUES ($address, $thumbprint, $der, $source, $now)
            ON CONFLICT (address, thumbprint) DO NOTHING
            """, ct, ("$address", address), ("$thumbprint", certificate.Thumbprint), ("$der", certificate.RawData), ("$source", source), ("$now", Now));

    /// <summary>
    /// The certificates known for an address in the order they should be tried: learned from a verified signature
    /// (<c>signature</c>), then carried by the national directory (<c>annuaire</c>), then imported by hand (<c>import</c>);
    /// within each source, the most recently learned first.
    /// </summary>
    public Task<IReadOnlyList<X509Certificate2>> FindCertificatesAsync(string address, CancellationToken ct = default) =>
        _db.QueryAsync($"SELECT der FROM certificates WHERE address = $address ORDER BY {CertificatePreference}, learned_at DESC",
            r => X509CertificateLoader.LoadCertificate((byte[])r.GetValue(0)), ct, ("$address", address));

    const string CertificatePreference = "CASE source WHEN 'signature' THEN 0 WHEN 'annuaire' THEN 1 ELSE 2 END";

    /// <summary>The certificates known (for one address, or all), by address then in the order <see cref="FindCertificatesAsync"/> tries them.</summary>
    public Task<IReadOnlyList<KnownCertificate>> ListCertificatesAsync(string? address = null, CancellationToken ct = default) =>
        _db.QueryAsync($"""
            SELECT address, der, source, learned_at FROM certificates WHERE $address IS NULL OR address = $address
            ORDER BY address COLLATE NOCASE, {CertificatePreference}, learned_at DESC
            """,
            r => new KnownCertificate(r.GetString(0), X509CertificateLoader.LoadCertificate((byte[])r.GetValue(1)), r.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))), ct, ("$address", address));

    Task<IReadOnlyList<StoredMessage>> QueryMessagesAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        _db.QueryAsync(sql, reader =>
        {
            DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            return new StoredMessage(
                reader.GetInt64(0),
                reader.GetString(1),
                Enum.Parse<MessageDirection>(reader.GetString(2)),
                reader.GetString(3),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(4)) ?? [],
                Text(5),
                reader.GetString(6),
                Enum.Parse<MessageState>(reader.GetString(7)),
                Time(8)!.Value,
                Time(9),
                Time(10),
                Text(11) is { } signature ? JsonSerializer.Deserialize<SignatureRecord>(signature) : null,
                Text(12),
                reader.GetInt32(13),
                reader.IsDBNull(14) ? null : reader.GetInt64(14),
                Enum.Parse<MessageKind>(reader.GetString(15)),
                Text(16),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(17)) ?? [],
                Time(18),
                Time(19),
                Time(20),
                Text(21));
        }, ct, parameters);
}
