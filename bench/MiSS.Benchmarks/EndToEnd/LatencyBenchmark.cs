using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using MiSS.DevEnvironment;
using MailKit;

namespace MiSS.Benchmarks.EndToEnd;

/// <summary>
/// The time from the API call on A to the event on B, over the real local mail server, against a raw baseline in the
/// same run: a plain message submitted by SMTP (a new session each, as MiSS's outbox does for a lone message) and
/// noticed by IMAP IDLE, between two other mailboxes that no MiSS instance watches.
/// </summary>
static class LatencyBenchmark
{
    public const int Messages = 100;
    const int Warmup = 5;
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<string> RunAsync(BenchWorld world)
    {
        var claire = DevPki.Practitioners[0];
        var julien = DevPki.Practitioners[1];
        var raw = await RawAsync(world, DevPki.Practitioners[2], DevPki.Practitioners[3]);
        Console.WriteLine($"raw SMTP + IDLE: {raw}");

        await using var a = await world.StartInstanceAsync(claire);
        await using var b = await world.StartInstanceAsync(julien);
        using var api = a.Api();
        await using var events = await EventStream.OpenAsync(b);
        var conversation = (long)JsonNode.Parse(await (await api.PostAsJsonAsync("/api/conversations", new { peer = julien.Address }))
            .Content.ReadAsStringAsync())!["id"]!;
        var samples = new List<double>();
        for (var i = 0; i < Warmup + Messages; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var response = await api.PostAsJsonAsync($"/api/conversations/{conversation}/messages", new { text = $"Mesure {i}: " + new string('x', 900) });
            var id = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["messageId"]!;
            var arrived = await events.WaitForAsync("message", id, Timeout);
            if (i >= Warmup)
            {
                samples.Add(Stopwatch.GetElapsedTime(start, arrived).TotalMilliseconds);
            }
        }
        var miss = Stats.Of(samples);
        Console.WriteLine($"MiSS API → event: {miss}");
        var steps = Breakdown(world, claire, julien);
        return Markdown(miss, raw, steps);
    }

    /// <summary>SMTP submission (new session) then IDLE on the receiver until EXISTS grows, <see cref="Messages"/> times.</summary>
    static async Task<Stats> RawAsync(BenchWorld world, DevPractitioner from, DevPractitioner to)
    {
        using var imap = await world.OpenImapAsync(to);
        var inbox = imap.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadOnly);
        var exists = inbox.Count;
        var samples = new List<double>();
        for (var i = 0; i < Warmup + Messages; i++)
        {
            var message = BenchWorld.RawMessage(from, to, $"mesure {i}", $"raw{i}.{Guid.NewGuid():N}@bench", new string('x', 900));
            var start = Stopwatch.GetTimestamp();
            using (var smtp = await world.OpenSmtpAsync(from))
            {
                await smtp.SubmitAsync(message, from.Address, [to.Address], notify: false, CancellationToken.None);
                await smtp.DisconnectAsync(true);
            }
            // IDLE until EXISTS grows: the event only ends the IDLE (DONE), as in the watcher.
            using (var done = new CancellationTokenSource(Timeout))
            {
                void Wake(object? sender, EventArgs e)
                {
                    if (inbox.Count > exists)
                    {
                        done.Cancel();
                    }
                }
                inbox.CountChanged += Wake;
                try
                {
                    while (inbox.Count <= exists && !done.IsCancellationRequested)
                    {
                        await imap.IdleAsync(done.Token);
                    }
                }
                finally
                {
                    inbox.CountChanged -= Wake;
                }
            }
            if (inbox.Count <= exists)
            {
                throw new TimeoutException("the raw message did not arrive");
            }
            exists = inbox.Count;
            if (i >= Warmup)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        return Stats.Of(samples);
    }

    /// <summary>Where MiSS's own time goes: each local step of a 1 KB message measured alone (median of 50).</summary>
    static List<(string Step, Stats Time)> Breakdown(BenchWorld world, DevPractitioner from, DevPractitioner to)
    {
        var trust = SmimeTrust.FromPemFiles(world.Pki.TrustAnchorsPath, world.Pki.IntermediatesPath, System.Security.Cryptography.X509Certificates.X509RevocationMode.Offline,
            TimeProvider.System, world.Pki.CrlPaths);
        var seal = new SmimeSeal(trust, TimeProvider.System);
        var signer = world.Pki.LoadPractitioner(from);
        var recipient = world.Pki.LoadPractitioner(to);
        var opener = new SmimeOpener(trust, recipient);
        var composer = new MessageComposer("MiSS-BENCH");
        var conversation = new Conversation(1, "c0ffee00c0ffee00c0ffee00c0ffee00", ConversationKind.Direct, null, GroupMembership.Empty.Add(from.Address, 1).Add(to.Address, 1),
            null, true, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, new Retention(TimeSpan.FromDays(7), 0));
        var message = new StoredMessage(1, "bench@dev.mssante.test", MessageDirection.Outgoing, from.Address, [to.Address], null, new string('x', 1000),
            MessageState.Queued, DateTimeOffset.UtcNow, null, null, null, null, 0, 1);
        byte[] sealedBytes = [];
        var compose = Stats.Measure(() => composer.ComposeContent(message, conversation, from.DisplayName, expires: DateTimeOffset.UtcNow.AddDays(7)), 50);
        var sealing = Stats.Measure(() =>
        {
            var body = seal.SignAndEncrypt(composer.ComposeContent(message, conversation, from.DisplayName), signer, [recipient, signer]);
            sealedBytes = MiSS.Core.Messaging.MimeBytes.Canonical(composer.ComposeEnvelope(message, from.DisplayName, body));
        }, 50);
        var opening = Stats.Measure(() => opener.Open(MiSS.Core.Messaging.MimeLoader.LoadMessage(sealedBytes)), 50);
        var directory = Directory.CreateTempSubdirectory("miss-bench-store-").FullName;
        var store = MessageStore.Open(Path.Combine(directory, "miss.db"), TimeProvider.System);
        var storing = Stats.Measure(() => store.SaveReceivedAsync(new ReceivedMessage($"{Guid.NewGuid():N}@x", from.Address, null, [to.Address], null,
            new string('x', 1000), DateTimeOffset.UtcNow, new SignatureRecord(OpenStatus.Verified, "", null, null, true))).GetAwaiter().GetResult(), 50);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return [("compose (protected headers, text)", compose), ("seal (sign, encrypt for 2, write)", sealing), ("open (read, decrypt, verify, chain + CRL)", opening),
            ("store (SQLite insert, WAL)", storing)];
    }


    static string Markdown(Stats miss, Stats raw, List<(string Step, Stats Time)> steps)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"| path ({Messages} messages of 1 KB, one at a time, after {Warmup} warm-ups) | median | p95 | min | max |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        md.AppendLine(inv, $"| raw: SMTP submission (new session) → IMAP IDLE notices it | {raw.Median:0} ms | {raw.P95:0} ms | {raw.Min:0} ms | {raw.Max:0} ms |");
        md.AppendLine(inv, $"| MiSS: POST /api/…/messages on A → `message` event on B's /api/events | {miss.Median:0} ms | {miss.P95:0} ms | {miss.Min:0} ms | {miss.Max:0} ms |");
        var ratio = miss.Median / raw.Median;
        md.AppendLine();
        md.AppendLine(inv, $"**Ratio of medians: {ratio:0.00}×** the raw baseline{(ratio <= 1.2 ? " (within the 1.2× goal)." : " — above the 1.2× goal; where the time goes:")}");
        md.AppendLine();
        md.AppendLine("| MiSS's own steps, measured alone (median of 50) | median | p95 |");
        md.AppendLine("|---|---:|---:|");
        foreach (var (step, time) in steps)
        {
            md.AppendLine(inv, $"| {step} | {time.Median:0.00} ms | {time.P95:0.00} ms |");
        }
        var local = steps.Sum(s => s.Time.Median);
        md.AppendLine(inv, $"| sum of the local steps | {local:0.0} ms | |");
        md.AppendLine(inv, $"| rest: transport of a larger message (sealed ≈ 4× a plain one), outbox wake-up, fetch, API and event stream | {miss.Median - raw.Median - local:0.0} ms | |");
        md.AppendLine();
        md.AppendLine("Both paths wait for Dovecot's IDLE notification (it batches changes for about half a second), so the baseline");
        md.AppendLine("is the floor for any IMAP-based messenger on this server; MiSS adds its crypto and bookkeeping on top.");
        return md.ToString();
    }
}
