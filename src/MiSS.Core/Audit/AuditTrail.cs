using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using MiSS.Core.Storage;

namespace MiSS.Core.Audit;

/// <summary>One event of the audit trail, as stored.</summary>
/// <param name="Seq">Its position in the chain, from 1, without gaps.</param>
/// <param name="At">When it was recorded (the instance's clock).</param>
/// <param name="Kind">What happened (<see cref="AuditKinds"/>).</param>
/// <param name="MessageId">The message concerned, if any.</param>
/// <param name="Conversation">The local number of the conversation concerned, if any.</param>
/// <param name="Actor">Who did it: an address or a token name.</param>
/// <param name="Detail">French or a short machine reason; never content.</param>
/// <param name="PrevHash">The hash of the record before it (64 zeros for the first).</param>
/// <param name="Hash">SHA-256 of its canonical form (<see cref="AuditTrail.HashOf"/>).</param>
public sealed record AuditRecord(long Seq, DateTimeOffset At, string Kind, string? MessageId, long? Conversation, string? Actor,
    string Detail, string PrevHash, string Hash);

/// <summary>An event to record, before it has its place in the chain.</summary>
/// <param name="Kind">What happened (<see cref="AuditKinds"/>).</param>
/// <param name="MessageId">The message concerned, if any.</param>
/// <param name="Conversation">The local number of the conversation concerned, if any.</param>
/// <param name="Actor">Who did it: an address or a token name.</param>
/// <param name="Detail">French or a short machine reason; never content.</param>
public sealed record AuditEvent(string Kind, string? MessageId, long? Conversation, string? Actor, string Detail);

/// <summary>
/// The last record of the chain, which an administrator notes to detect later that the tail was cut or rewritten (the
/// chain alone cannot tell a truncated tail from a shorter history). Written <c>SEQ:HASH</c>.
/// </summary>
public sealed record AuditHead(long Seq, string Hash)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Seq}:{Hash}");

    /// <summary>Reads the <c>SEQ:HASH</c> form an administrator noted; null when it is not one.</summary>
    public static AuditHead? TryParse(string? text)
    {
        var parts = text?.Trim().Split(':');
        return parts is [var seq, var hash] && long.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
               && hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower)
            ? new AuditHead(n, hash)
            : null;
    }
}

/// <summary>How the chain is broken.</summary>
public enum AuditBreak
{
    /// <summary>A record's content no longer matches its hash: it was modified.</summary>
    Modified,
    /// <summary>Sequence numbers jump: records were removed.</summary>
    Missing,
    /// <summary>A record does not point at the hash of the one before: a record was replaced, inserted or removed and the rest renumbered.</summary>
    Relinked,
    /// <summary>The chain ends before the head an administrator noted: its tail was removed.</summary>
    Truncated,
    /// <summary>The record at the noted head's position has another hash: the chain was rebuilt from there on.</summary>
    Rewritten,
}

/// <summary>What <see cref="AuditTrail.VerifyAsync(CancellationToken)"/> found.</summary>
/// <param name="Records">How many records were checked before the end or the break.</param>
/// <param name="Head">The last record checked intact (null for an empty trail or a break at the first record).</param>
/// <param name="BrokenAt">The first sequence number that is not intact: every record before it verifies.</param>
/// <param name="Break">How it is broken.</param>
/// <param name="Detail">The same, in French, for the administrator.</param>
public sealed record AuditVerification(long Records, AuditHead? Head, long? BrokenAt, AuditBreak? Break, string? Detail)
{
    /// <summary>True when every record verifies and the chain is whole.</summary>
    public bool IsIntact => Break is null;
}

/// <summary>
/// The append-only, tamper-evident trail of security-relevant events (sent, received, quarantined, expired, exported,
/// tokens...): a hash chain in the store, each record's SHA-256 covering its fields and the hash of the one before.
/// Editing, removing or inserting a record breaks the chain at that place; cutting the tail is seen only against a head
/// noted earlier (<see cref="HeadAsync"/>). Records hold identifiers, addresses, states and reasons: never message
/// content, subjects or patient identity. See docs/security.md for the exact hashed form.
/// </summary>
public sealed class AuditTrail(StoreDatabase db, TimeProvider time)
{
    /// <summary>The <c>prev_hash</c> of the first record.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>The first field of the hashed form: names the format, so that a later one cannot be confused with it.</summary>
    const string FormatTag = "MiSS-audit-1";

    const string Columns = "seq, at, kind, message_id, conversation, actor, detail, prev_hash, hash";

    /// <summary>
    /// Appends an event and returns it. Serialized across threads and processes (BEGIN IMMEDIATE, then the last hash is
    /// read and the record inserted in the same transaction), so that concurrent appends still make one chain.
    /// </summary>
    public async Task<AuditRecord> AppendAsync(string kind, string? messageId, long? conversation, string? actor, string detail,
        CancellationToken ct = default)
    {
        await using var connection = await db.ConnectAsync(ct);
        // Not deferred: the write lock is taken before the last hash is read, so no other append can slip in between.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var record = await AppendWithinAsync(transaction, time.GetUtcNow(), new AuditEvent(kind, messageId, conversation, actor, detail), ct);
        await transaction.CommitAsync(ct);
        return record;
    }

    /// <summary>
    /// Appends <paramref name="audited"/> inside <paramref name="transaction"/>, which must hold the write lock (BEGIN
    /// IMMEDIATE, Microsoft.Data.Sqlite's default): the store's change and its audit record then commit, or vanish, together.
    /// </summary>
    public static async Task<AuditRecord> AppendWithinAsync(SqliteTransaction transaction, DateTimeOffset now, AuditEvent audited,
        CancellationToken ct = default)
    {
        var (kind, messageId, conversation, actor, detail) = audited;
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(detail);
        var connection = transaction.Connection!;
        long seq = 1;
        var prevHash = GenesisHash;
        await using (var last = StoreDatabase.Command(connection, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"))
        {
            last.Transaction = transaction;
            await using var reader = await last.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                seq = reader.GetInt64(0) + 1;
                prevHash = reader.GetString(1);
            }
        }
        var at = now.ToUnixTimeMilliseconds();
        var hash = HashOf(seq, at, kind, messageId, conversation, actor, detail, prevHash);
        await using (var insert = StoreDatabase.Command(connection, $"""
            INSERT INTO audit ({Columns}) VALUES ($seq, $at, $kind, $message_id, $conversation, $actor, $detail, $prev_hash, $hash)
            """, ("$seq", seq), ("$at", at), ("$kind", kind), ("$message_id", messageId), ("$conversation", conversation),
            ("$actor", actor), ("$detail", detail), ("$prev_hash", prevHash), ("$hash", hash)))
        {
            insert.Transaction = transaction;
            await insert.ExecuteNonQueryAsync(ct);
        }
        return new AuditRecord(seq, DateTimeOffset.FromUnixTimeMilliseconds(at), kind, messageId, conversation, actor, detail, prevHash, hash);
    }

    /// <summary>The records after <paramref name="afterSeq"/> (0 for the start), oldest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<AuditRecord>> ListAsync(long afterSeq, int limit, CancellationToken ct = default) =>
        db.QueryAsync($"SELECT {Columns} FROM audit WHERE seq > $after ORDER BY seq LIMIT $limit", Read, ct,
            ("$after", afterSeq), ("$limit", limit));

    /// <summary>The last record's position and hash, for an administrator to note (null while the trail is empty).</summary>
    public async Task<AuditHead?> HeadAsync(CancellationToken ct = default) =>
        (await db.QueryAsync("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", r => new AuditHead(r.GetInt64(0), r.GetString(1)), ct))
        .FirstOrDefault();

    /// <summary>Checks the whole chain: every hash, every link, no gap.</summary>
    public Task<AuditVerification> VerifyAsync(CancellationToken ct = default) => VerifyAsync(null, ct);

    /// <summary>
    /// Checks the whole chain and, when <paramref name="remembered"/> is given (a head noted earlier), that the chain still
    /// reaches it with the same hash: the only way to see that the last records were removed or the tail rebuilt.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(AuditHead? remembered, CancellationToken ct = default)
    {
        await using var connection = await db.ConnectAsync(ct);
        await using var command = StoreDatabase.Command(connection, $"SELECT {Columns} FROM audit ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync(ct);
        long expected = 1;
        var prevHash = GenesisHash;
        AuditHead? head = null;
        AuditVerification Broken(long at, AuditBreak how, string detail) => new(expected - 1, head, at, how, detail);

        while (await reader.ReadAsync(ct))
        {
            var record = Read(reader);
            if (record.Seq != expected)
            {
                return record.Seq > expected
                    ? Broken(expected, AuditBreak.Missing, record.Seq - 1 == expected
                        ? $"l'enregistrement {expected} a été supprimé"
                        : $"les enregistrements {expected} à {record.Seq - 1} ont été supprimés")
                    : Broken(expected, AuditBreak.Relinked, $"un enregistrement numéroté {record.Seq} a été inséré avant le {expected}");
            }
            if (HashOf(record) != record.Hash)
            {
                return Broken(record.Seq, AuditBreak.Modified, $"l'enregistrement {record.Seq} a été modifié (son empreinte ne correspond plus)");
            }
            if (record.PrevHash != prevHash)
            {
                return Broken(record.Seq, AuditBreak.Relinked,
                    $"l'enregistrement {record.Seq} ne suit pas le précédent : un enregistrement a été remplacé, inséré ou supprimé");
            }
            if (remembered is not null && remembered.Seq == record.Seq && remembered.Hash != record.Hash)
            {
                return Broken(record.Seq, AuditBreak.Rewritten,
                    $"l'enregistrement {record.Seq} n'a plus l'empreinte notée : la chaîne a été refaite à partir de là");
            }
            head = new AuditHead(record.Seq, record.Hash);
            prevHash = record.Hash;
            expected++;
        }
        if (remembered is not null && (head?.Seq ?? 0) < remembered.Seq)
        {
            return Broken(expected, AuditBreak.Truncated,
                $"la chaîne s'arrête à l'enregistrement {expected - 1} alors que la tête notée est le {remembered.Seq} : la fin a été supprimée");
        }
        return new AuditVerification(expected - 1, head, null, null, null);
    }

    /// <summary>The hash a record must have (see <see cref="HashOf(long, long, string, string?, long?, string?, string, string)"/>).</summary>
    public static string HashOf(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return HashOf(record.Seq, record.At.ToUnixTimeMilliseconds(), record.Kind, record.MessageId, record.Conversation, record.Actor,
            record.Detail, record.PrevHash);
    }

    /// <summary>
    /// SHA-256, in lowercase hex, of the canonical form of a record: the tag <c>MiSS-audit-1</c>, then seq, at, kind,
    /// message_id, conversation, actor, detail and prev_hash, each field written as one byte 0x00 when null, or one byte
    /// 0x01, its length in bytes as a 4-byte big-endian unsigned integer, and its UTF-8 bytes. Integers are written in
    /// decimal (ASCII, no sign unless negative, no leading zeros). Length prefixes make the form unambiguous: no two
    /// different records serialize to the same bytes.
    /// </summary>
    public static string HashOf(long seq, long at, string kind, string? messageId, long? conversation, string? actor, string detail,
        string prevHash)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Field(sha, FormatTag);
        Field(sha, Number(seq));
        Field(sha, Number(at));
        Field(sha, kind);
        Field(sha, messageId);
        Field(sha, Number(conversation));
        Field(sha, actor);
        Field(sha, detail);
        Field(sha, prevHash);
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    static string? Number(long? n) => n?.ToString(CultureInfo.InvariantCulture);

    /// <summary>One field of the hashed form: 0x00 for null, else 0x01, the UTF-8 length (4 bytes, big-endian) and the bytes.</summary>
    static void Field(IncrementalHash sha, string? value)
    {
        if (value is null)
        {
            sha.AppendData([0x00]);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> prefix = stackalloc byte[5];
        prefix[0] = 0x01;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)bytes.Length);
        sha.AppendData(prefix);
        sha.AppendData(bytes);
    }

    static AuditRecord Read(SqliteDataReader r) => new(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2),
        r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6),
        r.GetString(7), r.GetString(8));
}
