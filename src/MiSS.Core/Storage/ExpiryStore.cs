using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace MiSS.Core.Storage;

/// <summary>A message whose content was just erased.</summary>
public sealed record ErasedMessage(long? Conversation, string MessageId);

/// <summary>A message whose server copies are still to be erased.</summary>
public sealed record ServerErasure(long Id, string MessageId);

/// <summary>
/// The erasing side of the store: which messages are due, turning a message into its tombstone, the server copies still
/// to erase, the quarantine's raw bytes, and pushing erased bytes out of SQLite's write-ahead log.
/// </summary>
public sealed class ExpiryStore(StoreDatabase db, BlobStore blobs, TimeProvider time)
{
    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The next moment something has to be erased: a message's expiry, a server erasure to retry, or a quarantined
    /// message's raw bytes reaching <paramref name="quarantineRetention"/>. Null when nothing is pending.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(TimeSpan quarantineRetention, CancellationToken ct = default)
    {
        var next = await db.QueryAsync("""
            SELECT min(at) FROM (
                SELECT min(expires_at) AS at FROM messages WHERE expired_at IS NULL AND expires_at IS NOT NULL
                UNION ALL SELECT min(server_erase_due_at) FROM messages WHERE server_erase_due_at IS NOT NULL
                UNION ALL SELECT min(received_at) + $quarantine FROM quarantine WHERE erased_at IS NULL)
            """, r => r.IsDBNull(0) ? (long?)null : r.GetInt64(0), ct, ("$quarantine", (long)quarantineRetention.TotalMilliseconds));
        return next[0] is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    /// <summary>Erases every message whose time has come; returns them.</summary>
    public async Task<IReadOnlyList<ErasedMessage>> EraseDueAsync(CancellationToken ct = default)
    {
        var due = await db.QueryAsync("""
            SELECT id, conversation, message_id FROM messages WHERE expired_at IS NULL AND expires_at <= $now ORDER BY expires_at
            """, r => (Id: r.GetInt64(0), Erased: new ErasedMessage(r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2))), ct, ("$now", Now));
        foreach (var (id, _) in due)
        {
            await EraseAsync(id, ct);
        }
        return due.Select(d => d.Erased).ToList();
    }

    /// <summary>
    /// Makes every live message of a conversation due now (a member ended it), except <paramref name="except"/> (the
    /// message announcing the end, which lives its normal time). Returns how many.
    /// </summary>
    public Task<int> ExpireConversationNowAsync(long conversation, long? except, CancellationToken ct = default) =>
        db.ExecuteAsync("""
            UPDATE messages SET expires_at = $now
            WHERE conversation = $conversation AND expired_at IS NULL AND id IS NOT $except AND (expires_at IS NULL OR expires_at > $now)
            """, ct, ("$conversation", conversation), ("$except", except), ("$now", Now));

    /// <summary>
    /// Turns a message into its tombstone, in one transaction: the attachment files are deleted, the text, subject and
    /// attachment rows go (secure_delete zeroes their bytes in the file), and what stays is the Message-ID,
    /// conversation, participants, times, signature status and a hash of the erased content. A copy on the server is
    /// marked for erasure. The audit record of the erasure commits with it. Erasing an already erased message does nothing.
    /// </summary>
    public async Task EraseAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await db.ConnectAsync(ct);
        await using var transaction = connection.BeginTransaction(deferred: false);
        string messageId, subject, body, direction, state, kind;
        long? conversation;
        await using (var read = StoreDatabase.Command(connection, """
                         SELECT message_id, coalesce(subject, ''), body, direction, state, kind, conversation FROM messages
                         WHERE id = $id AND expired_at IS NULL
                         """, ("$id", id)))
        {
            read.Transaction = transaction;
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return;
            }
            (messageId, subject, body, direction, state, kind) =
                (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5));
            conversation = reader.IsDBNull(6) ? null : reader.GetInt64(6);
        }

        var attachments = new List<(string Sha256, string? Blob, string? Thumbnail)>();
        await using (var read = StoreDatabase.Command(connection,
                         "SELECT sha256, blob, thumbnail_blob FROM attachments WHERE message = $id ORDER BY position", ("$id", id)))
        {
            read.Transaction = transaction;
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                attachments.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        // The files go first: a crash before the commit leaves the row due, and the next run finishes the job.
        foreach (var (_, blob, thumbnail) in attachments)
        {
            DeleteBlob(blob);
            DeleteBlob(thumbnail);
        }
        var now = Now;
        // A copy exists on the server for what was received (INBOX) and for what was sent (the Sent folder); receipts
        // are not kept in Sent, and a message never sent has no copy.
        var onServer = direction == "Incoming" || (state == "Sent" && kind != "Receipt");
        await using (var erase = StoreDatabase.Command(connection, """
                         UPDATE messages SET body = '', subject = NULL, error = NULL, expired_at = $now, content_sha256 = $hash,
                                             server_erase_due_at = $server
                         WHERE id = $id;
                         DELETE FROM attachments WHERE message = $id;
                         """,
                         ("$id", id), ("$now", now), ("$hash", ContentHash(messageId, subject, body, attachments.Select(a => a.Sha256))),
                         ("$server", onServer ? now : null)))
        {
            erase.Transaction = transaction;
            await erase.ExecuteNonQueryAsync(ct);
        }
        await Audit.AuditTrail.AppendWithinAsync(transaction, time.GetUtcNow(),
            new Audit.AuditEvent(Audit.AuditKinds.MessageExpired, messageId, conversation, null, "contenu effacé"), ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The trace's hash of a message's content: SHA-256 over the Message-ID, subject, text and the attachments' SHA-256,
    /// NUL-separated (docs/protocol.md, section 9). Whoever holds a copy (an export to the patient record) can show it is
    /// the message that was exchanged.
    /// </summary>
    public static string ContentHash(string messageId, string subject, string body, IEnumerable<string> attachmentHashes)
    {
        var text = string.Join('\0', new[] { "miss-content-v1", messageId, subject, body }.Concat(attachmentHashes));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }

    /// <summary>Messages whose server copies are due to be erased (first attempt or retry).</summary>
    public Task<IReadOnlyList<ServerErasure>> ServerErasuresDueAsync(int max, CancellationToken ct = default) =>
        db.QueryAsync("SELECT id, message_id FROM messages WHERE server_erase_due_at <= $now ORDER BY server_erase_due_at LIMIT $max",
            r => new ServerErasure(r.GetInt64(0), r.GetString(1)), ct, ("$now", Now), ("$max", max));

    /// <summary>Records that a message's server copies are gone.</summary>
    public Task ServerErasedAsync(long id, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE messages SET server_erase_due_at = NULL WHERE id = $id", ct, ("$id", id));

    /// <summary>Puts off the erasure of server copies (the server could not be reached) until <paramref name="at"/>.</summary>
    public Task RetryServerErasureAsync(long id, DateTimeOffset at, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE messages SET server_erase_due_at = $at WHERE id = $id", ct, ("$id", id), ("$at", at.ToUnixTimeMilliseconds()));

    /// <summary>Erases the raw bytes of messages quarantined longer than <paramref name="retention"/>; their reason stays.</summary>
    public Task<int> EraseQuarantineAsync(TimeSpan retention, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE quarantine SET raw = zeroblob(0), erased_at = $now WHERE erased_at IS NULL AND received_at + $retention <= $now",
            ct, ("$now", Now), ("$retention", (long)retention.TotalMilliseconds));

    /// <summary>
    /// Copies the log into the database file and truncates the log: with WAL, the pages as they were before the erasure
    /// would otherwise stay in the -wal file until it is reused. Retries while a reader keeps the log busy.
    /// </summary>
    public async Task<bool> CheckpointAsync(CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var busy = await db.QueryAsync("PRAGMA wal_checkpoint(TRUNCATE)", r => r.GetInt64(0), ct);
            if (busy[0] == 0)
            {
                return true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
        return false;
    }

    void DeleteBlob(string? blob)
    {
        if (blob is not null)
        {
            blobs.Delete(blob);
        }
    }
}
