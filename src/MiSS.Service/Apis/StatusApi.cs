using MiSS.Core.Configuration;
using MiSS.Core.Expiry;
using MiSS.Core.Incoming;
using MiSS.Core.Storage;
using MiSS.Core.TrustRefresh;

namespace MiSS.Service.Apis;

/// <summary>/api/status: the account and the state of the service.</summary>
public static class StatusApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/status", async (MissOptions options, InboxStatus inbox, MessageStore messages, ExpiryScheduler expiry, TrustRefreshStatus trust,
                CancellationToken ct) =>
                new StatusDto(options.Mailbox.Address, options.Mailbox.DisplayName, inbox.IsConnected, inbox.IsIdle, inbox.LastError,
                    await messages.CountQueuedAsync(ct), expiry.NextRun, typeof(StatusApi).Assembly.GetName().Version?.ToString() ?? "0",
                    trust.Sources.Select(s => new TrustSourceDto(KindName(s.Kind), s.Source,
                        s.LastSuccess, s.LastAttempt, s.LastError)).ToList()))
            .WithTags("account").WithSummary("Le compte et l'état du service");
        return api;
    }

    static string KindName(TrustSourceKind kind) => kind switch
    {
        TrustSourceKind.WhiteList => "white-list",
        TrustSourceKind.Directory => "directory",
        _ => "crl",
    };
}
