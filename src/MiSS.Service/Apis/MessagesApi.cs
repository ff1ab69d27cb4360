using MiSS.Core.Attachments;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Storage;

namespace MiSS.Service.Apis;

/// <summary>Messages: a conversation's, writing one, and one by its Message-ID.</summary>
public static class MessagesApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/conversations/{id:long}/messages", ListAsync).WithTags("messages")
            .WithSummary("Les messages vivants d'une conversation, du plus ancien au plus récent ; les plus récents d'abord par pages : limit (1000 au plus) et before (id)");
        api.MapPost("/conversations/{id:long}/messages", WriteAsync).WithTags("messages")
            .WithSummary("Écrit un message (texte, photos et documents en base64) ; il est enregistré avant la réponse")
            .Produces<MessageDto>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/messages/{messageId}", GetAsync).WithTags("messages")
            .WithSummary("Un message par son Message-ID (sa trace une fois effacé)");
        return api;
    }

    static async Task<IResult> ListAsync(long id, ConversationStore conversations, MessageStore messages, CancellationToken ct, int? limit = null,
        long? before = null)
    {
        if (await conversations.GetAsync(id, ct) is null)
        {
            return ApiProblems.NotFound($"conversation {id} inconnue");
        }
        var list = new List<MessageDto>();
        foreach (var message in await messages.ListConversationAsync(id, ApiPaging.Limit(limit, 1000, 1000), before, ct))
        {
            list.Add(await DescribeAsync(message, messages, ct));
        }
        return Results.Ok(list);
    }

    static async Task<IResult> WriteAsync(long id, NewMessageRequest request, ConversationService service, ConversationStore conversations,
        MessageStore messages, AttachmentPolicy policy, CancellationToken ct)
    {
        if (await conversations.GetAsync(id, ct) is null)
        {
            return ApiProblems.NotFound($"conversation {id} inconnue");
        }
        var text = request.Text ?? "";
        // Photos are stripped and downscaled here, before anything is stored or sent.
        var attachments = (request.Attachments ?? [])
            .Select(a => policy.PrepareOutgoing(a.FileName, Convert.FromBase64String(a.ContentBase64 ?? ""), a.Original))
            .ToList();
        policy.CheckOutgoingMessage(attachments, System.Text.Encoding.UTF8.GetByteCount(text));
        var message = await service.SendTextAsync(id, text, attachments, ct);
        return Results.Created($"/api/messages/{Uri.EscapeDataString(message.MessageId)}", await DescribeAsync(message, messages, ct));
    }

    static async Task<IResult> GetAsync(string messageId, MessageStore messages, CancellationToken ct) =>
        await messages.GetAsync(messageId.Trim('<', '>'), ct) is { } message
            ? Results.Ok(await DescribeAsync(message, messages, ct))
            : ApiProblems.NotFound($"message {messageId} inconnu");

    /// <summary>A message with its recipients' states and its attachments.</summary>
    public static async Task<MessageDto> DescribeAsync(StoredMessage message, MessageStore messages, CancellationToken ct) =>
        ApiMapping.ToDto(message, await messages.RecipientStatesAsync(message.Id, ct), await messages.AttachmentsAsync(message.Id, ct));
}
