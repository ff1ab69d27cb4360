using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;

namespace MiSS.Core.Storage;

/// <summary>
/// The local store, one SQLite file per mailbox: messages (outbox and received), the IMAP position, the quarantine,
/// and the certificates learned from verified signatures. WAL mode so the service and the command line can share it;
/// secure_delete so erased content does not linger in free pages.
/// </summary>
public sealed class MessageStore
{
    /// <summary>
    /// Schema migrations, applied in order; the file's <c>PRAGMA user_version</c> says how many have run.
    /// Append new steps, never edit a released one.
    /// </summary>
    static readonly string[] Migrations =
    [
        """
        CREATE TABLE messages (
            id              INTEGER PRIMARY KEY,
            message_id      TEXT    NOT NULL UNIQUE,
            direction       TEXT    NOT NULL CHECK (direction IN ('Outgoing', 'Incoming')),
            sender          TEXT    NOT NULL,
            recipients      TEXT    NOT NULL,  -- JSON array of addresses
            subject         TEXT,
            body            TEXT    NOT NULL,
            state           TEXT    NOT NULL,
            created_at      INTEGER NOT NULL,  -- Unix milliseconds, UTC
            sent_at         INTEGER,
            received_at     INTEGER,
            signature       TEXT,              -- JSON SignatureRecord, incoming only
            error           TEXT,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER
        ) STRICT;
        CREATE INDEX messages_outbox ON messages (state, next_attempt_at) WHERE state = 'Queued';

        CREATE TABLE mailbox_positions (
            mailbox      TEXT    PRIMARY KEY,
            uid_validity INTEGER NOT NULL,
            last_uid     INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE quarantine (
            id          INTEGER PRIMARY KEY,
            mailbox     TEXT    NOT NULL,
            uid         INTEGER NOT NULL,
            message_id  TEXT,
            reason      TEXT    NOT NULL,
            detail      TEXT    NOT NULL,
            raw         BLOB    NOT NULL,
            received_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE certificates (
            address    TEXT    NOT NULL COLLATE NOCASE,
            thumbprint TEXT    NOT NULL,
            der        BLOB    NOT NULL,
            source     TEXT    NOT NULL,
            learned_at INTEGER NOT NULL,
            PRIMARY KEY (address, thumbprint)
        ) STRICT;
        """,
    ];

    const string MessageColumns = """
        id, message_id, direction, sender, recipients, subject, body, state,
        created_at, sent_at, received_at, signature, error, attempts
        """;

    readonly string _connectionString;
    readonly TimeProvider _time;

    MessageStore(string path, TimeProvider time)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _time = time;
    }

    /// <summary>Opens (and creates or migrates) the store at <paramref name="path"/>. Synchronous: it runs once, at start-up.</summary>
    public static MessageStore Open(string path, TimeProvider time)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var store = new MessageStore(path, time);
        using var connection = new SqliteConnection(store._connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON;");
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        var applied = Convert.ToInt32(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (applied > Migrations.Length)
        {
            throw new InvalidOperationException($"the store {path} was written by a newer MiSS (schema {applied}, this one knows {Migrations.Length})");
        }
        for (var step = applied; step < Migrations.Length; step++)
        {
            // Each step and its version number commit together: a crash leaves the store at a known version.
            using var transaction = connection.BeginTransaction();
            Execute(connection, Migrations[step] + $"\nPRAGMA user_version = {step + 1};", transaction);
            transaction.Commit();
        }
        return store;
    }

    static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Puts a new outgoing message in the outbox; it is durable when this returns.</summary>
    public async Task<StoredMessage> EnqueueAsync(string sender, IReadOnlyList<string> recipients, string? subject, string body,
        CancellationToken ct = default)
    {
        var domain = sender.Contains('@') ? sender[(sender.LastIndexOf('@') + 1)..] : "localhost";
        var messageId = $"{Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}@{domain}";
        var now = _time.GetUtcNow();
        await using var connection = await ConnectAsync(ct);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO messages (message_id, direction, sender, recipients, subject, body, state, created_at, next_attempt_at)
            VALUES ($message_id, 'Outgoing', $sender, $recipients, $subject, $body, 'Queued', $now, $now);
            """;
        insert.Parameters.AddWithValue("$message_id", messageId);
        insert.Parameters.AddWithValue("$sender", sender);
        insert.Parameters.AddWithValue("$recipients", JsonSerializer.Serialize(recipients));
        insert.Parameters.AddWithValue("$subject", (object?)subject ?? DBNull.Value);
        insert.Parameters.AddWithValue("$body", body);
        insert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(ct);
        return (await GetAsync(messageId, ct))!;
    }

    /// <summary>Queued messages whose next attempt is due, oldest first.</summary>
    public Task<IReadOnlyList<StoredMessage>> DueOutgoingAsync(int max, CancellationToken ct = default) =>
        QueryMessagesAsync($"""
            SELECT {MessageColumns} FROM messages
            WHERE state = 'Queued' AND next_attempt_at <= $now ORDER BY id LIMIT $max
            """, ct, ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("$max", max));

    /// <summary>When the next queued message is due, if any.</summary>
    public async Task<DateTimeOffset?> NextOutgoingDueAsync(CancellationToken ct = default)
    {
        await using var connection = await ConnectAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT min(next_attempt_at) FROM messages WHERE state = 'Queued'";
        return await command.ExecuteScalarAsync(ct) is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    /// <summary>Records that the SMTP server accepted the message.</summary>
    public Task MarkSentAsync(long id, CancellationToken ct = default) =>
        UpdateAsync("UPDATE messages SET state = 'Sent', sent_at = $now, error = NULL, next_attempt_at = NULL, attempts = attempts + 1 WHERE id = $id",
            ct, ("$id", id), ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));

    /// <summary>Records a failed attempt that will be retried at <paramref name="nextAttempt"/>.</summary>
    public Task ScheduleRetryAsync(long id, string error, DateTimeOffset nextAttempt, CancellationToken ct = default) =>
        UpdateAsync("UPDATE messages SET error = $error, attempts = attempts + 1, next_attempt_at = $next WHERE id = $id",
            ct, ("$id", id), ("$error", error), ("$next", nextAttempt.ToUnixTimeMilliseconds()));

    /// <summary>Records that the message cannot be sent, with the reason shown to the practitioner.</summary>
    public Task MarkFailedAsync(long id, string reason, CancellationToken ct = default) =>
        UpdateAsync("UPDATE messages SET state = 'Failed', error = $error, attempts = attempts + 1, next_attempt_at = NULL WHERE id = $id",
            ct, ("$id", id), ("$error", reason));

    /// <summary>Stores a received message. Returns false when a message with that Message-ID is already stored.</summary>
    public async Task<bool> SaveReceivedAsync(ReceivedMessage message, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        await using var connection = await ConnectAsync(ct);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO messages (message_id, direction, sender, recipients, subject, body, state, created_at, received_at, signature)
            VALUES ($message_id, 'Incoming', $sender, $recipients, $subject, $body, 'Received', $created, $now, $signature)
            ON CONFLICT (message_id) DO NOTHING;
            """;
        insert.Parameters.AddWithValue("$message_id", message.MessageId);
        insert.Parameters.AddWithValue("$sender", message.Sender);
        insert.Parameters.AddWithValue("$recipients", JsonSerializer.Serialize(message.Recipients));
        insert.Parameters.AddWithValue("$subject", (object?)message.Subject ?? DBNull.Value);
        insert.Parameters.AddWithValue("$body", message.Body);
        insert.Parameters.AddWithValue("$created", (message.SentAt ?? now).ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$signature", JsonSerializer.Serialize(message.Signature));
        return await insert.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>True when a message with this Message-ID is stored (sent or received).</summary>
    public async Task<bool> ContainsAsync(string messageId, CancellationToken ct = default) => await GetAsync(messageId, ct) is not null;

    /// <summary>The message with this Message-ID, if stored.</summary>
    public async Task<StoredMessage?> GetAsync(string messageId, CancellationToken ct = default) =>
        (await QueryMessagesAsync($"SELECT {MessageColumns} FROM messages WHERE message_id = $id", ct, ("$id", messageId))).FirstOrDefault();

    /// <summary>The latest messages, newest first.</summary>
    public Task<IReadOnlyList<StoredMessage>> ListAsync(int limit, CancellationToken ct = default) =>
        QueryMessagesAsync($"SELECT {MessageColumns} FROM messages ORDER BY created_at DESC, id DESC LIMIT $limit", ct, ("$limit", limit));

    /// <summary>Where reading a mailbox stopped: its UIDVALIDITY and the last UID handled.</summary>
    public async Task<(uint UidValidity, uint LastUid)?> GetMailboxPositionAsync(string mailbox, CancellationToken ct = default)
    {
        await using var connection = await ConnectAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT uid_validity, last_uid FROM mailbox_positions WHERE mailbox = $mailbox";
        command.Parameters.AddWithValue("$mailbox", mailbox);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ((uint)reader.GetInt64(0), (uint)reader.GetInt64(1)) : null;
    }

    /// <summary>Records the last UID handled in a mailbox.</summary>
    public Task SaveMailboxPositionAsync(string mailbox, uint uidValidity, uint lastUid, CancellationToken ct = default) =>
        UpdateAsync("""
            INSERT INTO mailbox_positions (mailbox, uid_validity, last_uid) VALUES ($mailbox, $validity, $uid)
            ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid
            """, ct, ("$mailbox", mailbox), ("$validity", (long)uidValidity), ("$uid", (long)lastUid));

    /// <summary>Keeps a message that could not be accepted, with the reason, so nothing is lost and it is not retried forever.</summary>
    public Task QuarantineAsync(string mailbox, uint uid, string? messageId, string reason, string detail, byte[] raw, CancellationToken ct = default) =>
        UpdateAsync("""
            INSERT INTO quarantine (mailbox, uid, message_id, reason, detail, raw, received_at)
            VALUES ($mailbox, $uid, $message_id, $reason, $detail, $raw, $now)
            """, ct, ("$mailbox", mailbox), ("$uid", (long)uid), ("$message_id", messageId), ("$reason", reason), ("$detail", detail),
            ("$raw", raw), ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));

    /// <summary>The quarantined messages' reasons, newest first (without their raw bytes).</summary>
    public async Task<IReadOnlyList<(long Id, uint Uid, string? MessageId, string Reason, string Detail)>> ListQuarantineAsync(CancellationToken ct = default)
    {
        await using var connection = await ConnectAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, uid, message_id, reason, detail FROM quarantine ORDER BY id DESC";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<(long, uint, string?, string, string)>();
        while (await reader.ReadAsync(ct))
        {
            items.Add((reader.GetInt64(0), (uint)reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }
        return items;
    }

    /// <summary>Remembers a certificate for an address (from a verified signature, the directory, or a manual import).</summary>
    public Task SaveCertificateAsync(string address, X509Certificate2 certificate, string source, CancellationToken ct = default) =>
        UpdateAsync("""
            INSERT INTO certificates (address, thumbprint, der, source, learned_at) VALUES ($address, $thumbprint, $der, $source, $now)
            ON CONFLICT (address, thumbprint) DO NOTHING
            """, ct, ("$address", address), ("$thumbprint", certificate.Thumbprint), ("$der", certificate.RawData), ("$source", source),
            ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));

    /// <summary>The certificates known for an address, most recently learned first.</summary>
    public async Task<IReadOnlyList<X509Certificate2>> FindCertificatesAsync(string address, CancellationToken ct = default)
    {
        await using var connection = await ConnectAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT der FROM certificates WHERE address = $address ORDER BY learned_at DESC";
        command.Parameters.AddWithValue("$address", address);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var certificates = new List<X509Certificate2>();
        while (await reader.ReadAsync(ct))
        {
            certificates.Add(X509CertificateLoader.LoadCertificate((byte[])reader.GetValue(0)));
        }
        return certificates;
    }

    async Task<SqliteConnection> ConnectAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        // Per connection: erased rows are overwritten with zeros; foreign keys enforced; waits politely for the other process.
        await ExecuteAsync(connection, "PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", ct);
        return connection;
    }

    async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    async Task UpdateAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await ConnectAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        await command.ExecuteNonQueryAsync(ct);
    }

    async Task<IReadOnlyList<StoredMessage>> QueryMessagesAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = await ConnectAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        var messages = new List<StoredMessage>();
        while (await reader.ReadAsync(ct))
        {
            DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            messages.Add(new StoredMessage(
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
                reader.GetInt32(13)));
        }
        return messages;
    }
}
