using System.Security.Claims;
using MiSS.Core.Audit;
using MiSS.Core.Fhir;
using MiSS.Core.Storage;

namespace MiSS.Service.Apis;

/// <summary>
/// /api/conversations/{id}/export: the conversation, or chosen messages, for the patient record (FHIR R4). Every export
/// goes to the audit trail with the token (or "web") that asked for it.
/// </summary>
public static class ExportApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/conversations/{id:long}/export", ExportAsync).WithTags("export")
            .WithSummary("Bundle FHIR R4 de Communication (toute la conversation, ou les messages ?message=ID)");
        return api;
    }

    static async Task<IResult> ExportAsync(long id, string[]? message, ConversationStore conversations, MessageStore messages, AuditTrail audit,
        ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        if (await conversations.GetAsync(id, ct) is not { } conversation)
        {
            return ApiProblems.NotFound($"conversation {id} inconnue");
        }
        var chosen = message is { Length: > 0 } ? message.Select(m => m.Trim('<', '>')).ToList() : null;
        var bundle = await ConversationExport.ExportAsync(messages, conversation, time.GetUtcNow(), chosen, ct);
        await audit.AppendAsync(AuditKinds.ConversationExported, null, conversation.Id, user.Identity?.Name,
            $"{bundle.Messages} message(s) exporté(s) par l'API", ct);
        return Results.Text(bundle.Json, "application/fhir+json", System.Text.Encoding.UTF8);
    }
}
