using System.Globalization;
using System.Security.Claims;
using MiSS.Core.Audit;
using MiSS.Core.Messaging;
using MiSS.Core.Storage;
using MimeKit;

namespace MiSS.Service.Apis;

/// <summary>
/// /api/quarantine: what arrived and was kept apart, and why; one message's outer headers read safely (never its body);
/// its raw bytes as a download, for a closer look in a mail client or to hand to support.
/// </summary>
public static class QuarantineApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapQuarantineApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/quarantine").WithTags("quarantine");
        group.MapGet("/", ListAsync)
            .WithSummary("Les messages mis en quarantaine et leur motif, le plus récent d'abord ; par pages : limit (100, au plus 500) et before (id)");
        group.MapGet("/{id:long}", GetAsync).WithSummary("Un message en quarantaine, avec un résumé de ses en-têtes extérieurs (jamais son contenu)")
            .Produces<QuarantineDetailDto>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/raw", RawAsync).WithSummary("Le message brut tel qu'il est arrivé (message-ID.eml), 410 une fois effacé")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        return api;
    }

    static async Task<IReadOnlyList<QuarantineItemDto>> ListAsync(MessageStore messages, CancellationToken ct, int? limit = null, long? before = null) =>
        (await messages.ListQuarantineAsync(ApiPaging.Limit(limit, 100, 500), before, ct)).Select(ToDto).ToList();

    static async Task<IResult> GetAsync(long id, MessageStore messages, CancellationToken ct)
    {
        if (await messages.FindQuarantinedAsync(id, ct) is not { } found)
        {
            return UnknownItem(id);
        }
        var (item, raw) = found;
        var summary = item.ErasedAt is null ? Summarize(raw) : null;
        return Results.Ok(new QuarantineDetailDto(item.Id, item.Mailbox, item.Uid, item.MessageId, item.Reason, item.Detail, item.ReceivedAt,
            item.Size, item.ErasedAt, summary));
    }

    static async Task<IResult> RawAsync(long id, MessageStore messages, AuditTrail audit, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await messages.FindQuarantinedAsync(id, ct) is not { } found)
        {
            return UnknownItem(id);
        }
        var (item, raw) = found;
        if (item.ErasedAt is { } erased)
        {
            return ApiProblems.Problem(StatusCodes.Status410Gone, "quarantine-erased", "Message effacé",
                string.Create(CultureInfo.InvariantCulture,
                    $"le message brut {id} a été effacé le {erased:yyyy-MM-dd HH:mm} UTC, à la fin de la durée de conservation de la quarantaine ; son motif reste"));
        }
        // Raw bytes leave the store: possibly plain mail with health data in it.
        await audit.AppendAsync(AuditKinds.QuarantineDownloaded, item.MessageId, null, user.Identity?.Name,
            string.Create(CultureInfo.InvariantCulture, $"quarantaine {id}, {item.Size} octets"), ct);
        // Always a download of opaque bytes: never rendered by the browser.
        return Results.File(raw, "application/octet-stream", string.Create(CultureInfo.InvariantCulture, $"message-{id}.eml"));
    }

    static IResult UnknownItem(long id) => ApiProblems.NotFound($"aucun message en quarantaine sous le numéro {id}");

    static QuarantineItemDto ToDto(QuarantinedMessage q) =>
        new(q.Id, q.Mailbox, q.Uid, q.MessageId, q.Reason, q.Detail, q.ReceivedAt, q.Size, q.ErasedAt);

    /// <summary>
    /// The outer headers of a raw message and the shape of its body, read with the bounded MIME reader; the body itself is
    /// never read out. Anything the reader refuses (or chokes on) makes the summary say it is unreadable, nothing more.
    /// </summary>
    public static QuarantineSummaryDto Summarize(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        try
        {
            var message = MimeLoader.LoadMessage(raw);
            DateTimeOffset? date = message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue ? message.Date : null;
            return new QuarantineSummaryDto(true, null, Addresses(message.From.Mailboxes.ToList()), message.To.Mailboxes.Select(Display).ToList(), date,
                message.Subject, message.Body?.ContentType.MimeType.ToLowerInvariant(), message.Body is null ? 0 : CountParts(message.Body));
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // The reader's own message is English and technical: the administrator gets the French gist.
            var why = e is UnreadableMimeException ? "illisible : en-têtes ou structure MIME hors des limites du lecteur" : "illisible";
            return new QuarantineSummaryDto(false, why, null, [], null, null, null, 0);
        }
    }

    static string? Addresses(IReadOnlyList<MailboxAddress> addresses) => addresses.Count == 0 ? null : string.Join(", ", addresses.Select(Display));

    static string Display(MailboxAddress a) => string.IsNullOrEmpty(a.Name) ? a.Address : $"{a.Name} <{a.Address}>";

    /// <summary>The leaf parts of the body (an attached message counts as one), without recursion.</summary>
    static int CountParts(MimeEntity body)
    {
        var count = 0;
        var pending = new Stack<MimeEntity>([body]);
        while (pending.TryPop(out var entity))
        {
            if (entity is Multipart multipart)
            {
                foreach (var part in multipart)
                {
                    pending.Push(part);
                }
            }
            else
            {
                count++;
            }
        }
        return count;
    }
}
