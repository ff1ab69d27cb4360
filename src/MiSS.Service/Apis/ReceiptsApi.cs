using MiSS.Core.Conversations;

namespace MiSS.Service.Apis;

/// <summary>/api/receipts: marking received messages read (read receipts go where they were asked for).</summary>
public static class ReceiptsApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapReceiptsApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/receipts", MarkReadAsync).WithTags("receipts").WithSummary("Marque des messages reçus comme lus");
        return api;
    }

    static async Task<ReceiptsResponse> MarkReadAsync(ReceiptsRequest request, ConversationService service, CancellationToken ct)
    {
        if (request.MessageIds is not { Count: > 0 and <= 1000 })
        {
            throw new ArgumentException("indiquez de 1 à 1000 Message-ID dans « messageIds »");
        }
        return new ReceiptsResponse(await service.MarkReadAsync(request.MessageIds.Select(id => id.Trim('<', '>')), ct));
    }
}
