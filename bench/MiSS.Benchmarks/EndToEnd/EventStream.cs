using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace MiSS.Benchmarks.EndToEnd;

/// <summary>A client of an instance's /api/events: each event name with its Message-ID, time-stamped on arrival.</summary>
sealed class EventStream : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _reading;

    EventStream(HttpClient http) => _reading = ReadAsync(http, _stop.Token);

    public Channel<(string Event, string? MessageId, long At)> Events { get; } = Channel.CreateUnbounded<(string, string?, long)>();

    public static async Task<EventStream> OpenAsync(BenchInstance instance)
    {
        var stream = new EventStream(instance.Api(Timeout.InfiniteTimeSpan));
        await Task.Delay(300); // connected before the first measurement
        return stream;
    }

    async Task ReadAsync(HttpClient http, CancellationToken ct)
    {
        using (http)
        {
            try
            {
                using var response = await http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, ct);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                string? name = null;
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        name = line[7..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
                    {
                        var id = (string?)JsonNode.Parse(line[6..])?["messageId"];
                        await Events.Writer.WriteAsync((name, id, System.Diagnostics.Stopwatch.GetTimestamp()), ct);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Waits for <paramref name="name"/> about <paramref name="messageId"/>; returns its arrival timestamp.</summary>
    public async Task<long> WaitForAsync(string name, string messageId, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            var (e, id, at) = await Events.Reader.ReadAsync(limit.Token);
            if (e == name && id == messageId)
            {
                return at;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }
}
