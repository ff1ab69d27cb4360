using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MiSS.Core.Conversations;

namespace MiSS.Core.Storage;

/// <summary>Conversations and their membership, in the mailbox's <see cref="StoreDatabase"/>.</summary>
public sealed class ConversationStore(StoreDatabase db, TimeProvider time)
{
    const string Columns = """
        id, conversation_id, kind, name, membership, patient, read_receipts, created_at, last_message_at, retention, retention_changed_at, ended_at
        """;

    /// <summary>A new wire id: 128 random bits, lowercase hex.</summary>
    public static string NewConversationId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>Stores a new conversation (or returns the existing one with that wire id).</summary>
    public async Task<Conversation> CreateAsync(string conversationId, ConversationKind kind, string? name, GroupMembership membership,
        PatientContext? patient, Retention retention, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await db.ExecuteAsync("""
            INSERT INTO conversations (conversation_id, kind, name, membership, patient, created_at, last_message_at, retention, retention_changed_at)
            VALUES ($id, $kind, $name, $membership, $patient, $now, $now, $retention, $retention_changed_at)
            ON CONFLICT (conversation_id) DO NOTHING
            """, ct, ("$id", conversationId), ("$kind", kind.ToString()), ("$name", name), ("$membership", membership.ToHeaderValue()),
            ("$patient", patient is null ? null : JsonSerializer.Serialize(patient)), ("$now", now),
            ("$retention", (long)retention.Duration.TotalSeconds), ("$retention_changed_at", retention.ChangedAt));
        return (await FindAsync(conversationId, ct))!;
    }

    /// <summary>The conversation with this wire id.</summary>
    public async Task<Conversation?> FindAsync(string conversationId, CancellationToken ct = default) =>
        (await db.QueryAsync($"SELECT {Columns} FROM conversations WHERE conversation_id = $id", Read, ct, ("$id", conversationId))).FirstOrDefault();

    /// <summary>The conversation with this local id.</summary>
    public async Task<Conversation?> GetAsync(long id, CancellationToken ct = default) =>
        (await db.QueryAsync($"SELECT {Columns} FROM conversations WHERE id = $id", Read, ct, ("$id", id))).FirstOrDefault();

    /// <summary>Every conversation, most recently active first.</summary>
    public Task<IReadOnlyList<Conversation>> ListAsync(CancellationToken ct = default) =>
        db.QueryAsync($"SELECT {Columns} FROM conversations ORDER BY last_message_at DESC, id DESC", Read, ct);

    /// <summary>The direct conversation with <paramref name="peer"/> about the same patient (or none), if one is open.</summary>
    public async Task<Conversation?> FindDirectAsync(string self, string peer, PatientContext? patient, CancellationToken ct = default)
    {
        var candidates = await db.QueryAsync($"SELECT {Columns} FROM conversations WHERE kind = 'Direct' AND ended_at IS NULL ORDER BY id", Read, ct);
        return candidates.FirstOrDefault(c => c.Patient == patient && c.Membership.Contains(peer) && c.Membership.Contains(self));
    }

    /// <summary>Merges a membership state into the stored one (never loses a later change) and returns the result.</summary>
    public Task<GroupMembership> MergeMembershipAsync(long id, GroupMembership changes, CancellationToken ct = default) =>
        ReadMergeWriteAsync(id, "membership", r => GroupMembership.Parse(r.GetString(0)), current => current.Merge(changes),
            merged => [("membership", merged.ToHeaderValue())], ct);

    /// <summary>Merges a retention setting into the stored one (the later change wins) and returns the result.</summary>
    public Task<Retention> MergeRetentionAsync(long id, Retention change, CancellationToken ct = default) =>
        ReadMergeWriteAsync(id, "retention, retention_changed_at", ReadRetention, current => current.Merge(change),
            merged => [("retention", (long)merged.Duration.TotalSeconds), ("retention_changed_at", merged.ChangedAt)], ct);

    /// <summary>
    /// Records that the conversation was ended: nothing more is sent in it, and the patient it was about is forgotten
    /// with its messages.
    /// </summary>
    public Task EndAsync(long id, DateTimeOffset at, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE conversations SET ended_at = coalesce(ended_at, $at), patient = NULL WHERE id = $id",
            ct, ("$id", id), ("$at", at.ToUnixTimeMilliseconds()));

    /// <summary>
    /// Reads some columns, merges, and writes the result in one IMMEDIATE transaction: two messages handled at once
    /// cannot lose each other's change.
    /// </summary>
    async Task<T> ReadMergeWriteAsync<T>(long id, string columns, Func<SqliteDataReader, T> read, Func<T, T> merge,
        Func<T, (string Column, object Value)[]> columnsOf, CancellationToken ct)
    {
        await using var connection = await db.ConnectAsync(ct);
        await using (var begin = StoreDatabase.Command(connection, "BEGIN IMMEDIATE"))
        {
            await begin.ExecuteNonQueryAsync(ct);
        }
        try
        {
            T merged;
            await using (var select = StoreDatabase.Command(connection, $"SELECT {columns} FROM conversations WHERE id = $id", ("$id", id)))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct))
                {
                    throw new ArgumentException($"conversation {id} inconnue");
                }
                merged = merge(read(reader));
            }
            var values = columnsOf(merged);
            await using var write = StoreDatabase.Command(connection,
                $"UPDATE conversations SET {string.Join(", ", values.Select(v => $"{v.Column} = ${v.Column}"))} WHERE id = $id",
                [("$id", id), .. values.Select(v => ("$" + v.Column, (object?)v.Value))]);
            await write.ExecuteNonQueryAsync(ct);
            await using var commit = StoreDatabase.Command(connection, "COMMIT");
            await commit.ExecuteNonQueryAsync(ct);
            return merged;
        }
        catch
        {
            await using var rollback = StoreDatabase.Command(connection, "ROLLBACK");
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Records activity (new message) for the list order.</summary>
    public Task TouchAsync(long id, DateTimeOffset at, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE conversations SET last_message_at = max(last_message_at, $at) WHERE id = $id",
            ct, ("$id", id), ("$at", at.ToUnixTimeMilliseconds()));

    /// <summary>Turns read receipts on or off for a conversation.</summary>
    public Task SetReadReceiptsAsync(long id, bool enabled, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE conversations SET read_receipts = $on WHERE id = $id", ct, ("$id", id), ("$on", enabled ? 1 : 0));

    static Conversation Read(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        Enum.Parse<ConversationKind>(r.GetString(2)),
        r.IsDBNull(3) ? null : r.GetString(3),
        GroupMembership.Parse(r.GetString(4)),
        r.IsDBNull(5) ? null : JsonSerializer.Deserialize<PatientContext>(r.GetString(5)),
        r.GetInt64(6) != 0,
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        new Retention(TimeSpan.FromSeconds(r.GetInt64(9)), r.GetInt64(10)),
        r.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)));

    static Retention ReadRetention(SqliteDataReader r) => new(TimeSpan.FromSeconds(r.GetInt64(0)), r.GetInt64(1));
}
