using System.Diagnostics;
using System.Globalization;
using System.Text;
using MiSS.Core.Conversations;
using MiSS.Core.Storage;

namespace MiSS.Benchmarks;

/// <summary>The store with 100,000 messages in 500 conversations: a conversation's latest page and the conversation list.</summary>
static class StoreScaleBenchmark
{
    const int Messages = 100_000;
    const int Conversations = 500;

    public static async Task<string> RunAsync()
    {
        var directory = Directory.CreateTempSubdirectory("miss-bench-scale-").FullName;
        try
        {
            var db = StoreDatabase.Open(Path.Combine(directory, "miss.db"));
            var messages = new MessageStore(db, BlobStore.Open(directory), TimeProvider.System);
            var conversations = new ConversationStore(db, TimeProvider.System);
            var fill = Stopwatch.StartNew();
            var ids = new List<long>();
            for (var c = 0; c < Conversations; c++)
            {
                ids.Add((await conversations.CreateAsync(ConversationStore.NewConversationId(), ConversationKind.Direct, null,
                    GroupMembership.Empty.Add("a@x.test", 1).Add($"p{c}@x.test", 1), null, new Retention(TimeSpan.FromDays(7), 1))).Id);
            }
            await FillAsync(db, ids);
            fill.Stop();
            var busiest = ids[0]; // holds a fifth of all messages
            var page = Stats.Measure(() => messages.ListConversationAsync(busiest, 50).GetAwaiter().GetResult(), 30);
            var list = Stats.Measure(() =>
            {
                conversations.ListAsync().GetAwaiter().GetResult();
                messages.ActivityAsync().GetAwaiter().GetResult();
            }, 30);
            var one = Stats.Measure(() => messages.GetAsync($"m{Messages / 2}@x.test").GetAwaiter().GetResult(), 30);
            var inv = CultureInfo.InvariantCulture;
            var md = new StringBuilder();
            md.AppendLine(inv, $"{Messages:N0} messages in {Conversations} conversations (one holds {Messages / 5:N0}), written in {fill.Elapsed.TotalSeconds:0.0} s; median of 30 runs each:");
            md.AppendLine();
            md.AppendLine("| query | median | p95 |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine(inv, $"| latest 50 messages of the busiest conversation (`ListConversationAsync`) | {page.Median:0.00} ms | {page.P95:0.00} ms |");
            md.AppendLine(inv, $"| conversation list with unread counts and next expiry (`ListAsync` + `ActivityAsync`) | {list.Median:0.0} ms | {list.P95:0.0} ms |");
            md.AppendLine(inv, $"| one message by Message-ID | {one.Median:0.00} ms | {one.P95:0.00} ms |");
            return md.ToString();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Rows written directly in one transaction: the scale is the point here, not the insert path.</summary>
    static async Task FillAsync(StoreDatabase db, IReadOnlyList<long> conversations)
    {
        await using var connection = await db.ConnectAsync(CancellationToken.None);
        await using var transaction = connection.BeginTransaction();
        await using var insert = StoreDatabase.Command(connection, """
            INSERT INTO messages (message_id, direction, sender, recipients, subject, body, state, created_at, received_at, conversation, kind, expires_at)
            VALUES ($id, 'Incoming', 'p@x.test', '["a@x.test"]', NULL, $body, 'Received', $at, $at, $conversation, 'Text', $expires)
            """, ("$id", ""), ("$body", ""), ("$at", 0L), ("$conversation", 0L), ("$expires", 0L));
        insert.Transaction = transaction;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < Messages; i++)
        {
            insert.Parameters["$id"].Value = $"m{i}@x.test";
            insert.Parameters["$body"].Value = $"Message numéro {i}, un texte d'une longueur ordinaire pour une messagerie de soins.";
            insert.Parameters["$at"].Value = now - (Messages - i) * 1000L;
            insert.Parameters["$conversation"].Value = i % 5 == 0 ? conversations[0] : conversations[1 + i % (conversations.Count - 1)];
            insert.Parameters["$expires"].Value = now + 7 * 86_400_000L;
            await insert.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

}
