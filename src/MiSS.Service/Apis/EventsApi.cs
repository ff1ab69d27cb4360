using System.Text.Json;
using MiSS.Core.Events;

namespace MiSS.Service.Apis;

/// <summary>/api/events: live changes as server-sent events (the client re-reads what an event names).</summary>
public static class EventsApi
{
    /// <summary>A comment line goes out this often, so that proxies and clients see the stream alive.</summary>
    public static readonly TimeSpan Ping = TimeSpan.FromSeconds(15);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/events", StreamAsync).WithTags("events")
            .WithSummary("Flux text/event-stream : message, state, expired, conversation");
        return api;
    }

    static async Task StreamAsync(HttpContext context, MissEvents events, CancellationToken ct)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.WriteAsync(": MiSS\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
        await using var changes = events.ListenAsync(ct).GetAsyncEnumerator(ct);
        var next = changes.MoveNextAsync().AsTask();
        while (!ct.IsCancellationRequested)
        {
            if (await Task.WhenAny(next, Task.Delay(Ping, ct)) != next)
            {
                await context.Response.WriteAsync(": ping\n\n", ct);
            }
            else if (await next)
            {
                var change = changes.Current;
                var data = JsonSerializer.Serialize(new EventDto(change.ConversationId, change.MessageId), ApiJsonContext.Default.EventDto);
                await context.Response.WriteAsync($"event: {change.Kind.ToString().ToLowerInvariant()}\ndata: {data}\n\n", ct);
                next = changes.MoveNextAsync().AsTask();
            }
            else
            {
                return;
            }
            await context.Response.Body.FlushAsync(ct);
        }
    }
}
