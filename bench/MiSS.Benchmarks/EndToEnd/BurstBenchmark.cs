using System.Net.Http.Json;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MiSS.Core.Conversations;
using MiSS.Core.Events;
using MiSS.DevEnvironment;
using MailKit;

namespace MiSS.Benchmarks.EndToEnd;

/// <summary>
/// 1,000 messages queued at once from A to B: messages per second until the last is stored on B, against 1,000 plain
/// messages over one SMTP session counted by IMAP on the receiver, in the same run.
/// </summary>
static class BurstBenchmark
{
    public const int Messages = 1000;
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    public static async Task<string> RunAsync(BenchWorld world)
    {
        var raw = await RawAsync(world, DevPki.Practitioners[2], DevPki.Practitioners[3]);
        Console.WriteLine($"raw burst: {raw.TotalSeconds:0.0} s");

        var claire = DevPki.Practitioners[0];
        var julien = DevPki.Practitioners[1];
        await using var a = await world.StartInstanceAsync(claire);
        await using var b = await world.StartInstanceAsync(julien);
        using var arrivals = b.Services.GetRequiredService<MissEvents>().Subscribe();
        var service = a.Services.GetRequiredService<ConversationService>();
        var conversation = await service.StartDirectAsync(julien.Address);

        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < Messages; i++)
        {
            await service.SendTextAsync(conversation.Id, $"Rafale {i}");
        }
        var queued = Stopwatch.GetElapsedTime(start);
        using var limit = new CancellationTokenSource(Timeout);
        for (var stored = 0; stored < Messages;)
        {
            if ((await arrivals.Reader.ReadAsync(limit.Token)).Kind == MissEventKind.Message)
            {
                stored++;
            }
        }
        var miss = Stopwatch.GetElapsedTime(start);
        Console.WriteLine($"MiSS burst: {miss.TotalSeconds:0.0} s (queued in {queued.TotalSeconds:0.0} s)");

        // The same burst posted through A's HTTP API one request at a time, as practice software would write.
        using var api = a.Api();
        start = Stopwatch.GetTimestamp();
        for (var i = 0; i < Messages; i++)
        {
            (await api.PostAsJsonAsync($"/api/conversations/{conversation.Id}/messages", new { text = $"Rafale API {i}" })).EnsureSuccessStatusCode();
        }
        var posted = Stopwatch.GetElapsedTime(start);
        for (var stored = 0; stored < Messages;)
        {
            if ((await arrivals.Reader.ReadAsync(limit.Token)).Kind == MissEventKind.Message)
            {
                stored++;
            }
        }
        var viaApi = Stopwatch.GetElapsedTime(start);
        Console.WriteLine($"MiSS burst through the API: {viaApi.TotalSeconds:0.0} s (posted in {posted.TotalSeconds:0.0} s)");

        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"| {Messages} messages at once | until the last is at the receiver | messages per second |");
        md.AppendLine("|---|---:|---:|");
        md.AppendLine(inv, $"| raw: plain messages over one SMTP session, counted by IMAP on the receiver | {raw.TotalSeconds:0.0} s | {Messages / raw.TotalSeconds:0} |");
        md.AppendLine(inv, $"| MiSS: queued through `ConversationService` ({queued.TotalSeconds:0.0} s), sealed, sent in batches of 50 per session, opened and stored | {miss.TotalSeconds:0.0} s | {Messages / miss.TotalSeconds:0} |");
        md.AppendLine(inv, $"| MiSS: posted through A's HTTP API one request at a time ({posted.TotalSeconds:0.0} s, {posted.TotalMilliseconds / Messages:0.0} ms per request), then as above | {viaApi.TotalSeconds:0.0} s | {Messages / viaApi.TotalSeconds:0} |");
        md.AppendLine();
        md.AppendLine(inv, $"Ratio: MiSS takes {miss.TotalSeconds / raw.TotalSeconds:0.0}× the raw time. Each MiSS message costs two RSA private-key operations (sign, then decrypt at the receiver) and a chain check; the raw path has none.");
        return md.ToString();
    }

    static async Task<TimeSpan> RawAsync(BenchWorld world, DevPractitioner from, DevPractitioner to)
    {
        using var imap = await world.OpenImapAsync(to);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var target = imap.Inbox.Count + Messages;
        var start = Stopwatch.GetTimestamp();
        using (var smtp = await world.OpenSmtpAsync(from))
        {
            for (var i = 0; i < Messages; i++)
            {
                await smtp.SubmitAsync(BenchWorld.RawMessage(from, to, $"rafale {i}", $"burst{i}.{Guid.NewGuid():N}@bench", $"Rafale {i}"),
                    from.Address, [to.Address], notify: false, CancellationToken.None);
            }
            await smtp.DisconnectAsync(true);
        }
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            // Polled every 50 ms: a few ms of granularity on a measure of seconds.
            await imap.NoOpAsync(); // the server reports EXISTS for the selected mailbox
            if (imap.Inbox.Count >= target)
            {
                return Stopwatch.GetElapsedTime(start);
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("the raw burst did not all arrive");
    }
}
