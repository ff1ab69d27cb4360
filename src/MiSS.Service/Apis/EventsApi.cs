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

    static async Task StreamAsync(HttpContext context, MissEvents events, IHostApplicationLifetime lifetime, CancellationToken requestAborted)
    {
        // The stream ends with the request or with the service, so that stopping never waits for open streams.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        using var subscription = events.Subscribe();
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await context.Response.WriteAsync(": MiSS\n\n", ct);
            await context.Response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                using var ping = new CancellationTokenSource(Ping);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, ping.Token);
                try
                {
                    if (!await subscription.Reader.WaitToReadAsync(wait.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (ping.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    await context.Response.WriteAsync(": ping\n\n", ct);
                    await context.Response.Body.FlushAsync(ct);
                    continue;
                }
                while (subscription.Reader.TryRead(out var change))
                {
                    var data = JsonSerializer.Serialize(new EventDto(change.ConversationId, change.MessageId), ApiJsonContext.Default.EventDto);
                    await context.Response.WriteAsync($"event: {change.Kind.ToString().ToLowerInvariant()}\ndata: {data}\n\n", ct);
                }
                await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the service is stopping.
        }
    }
}
