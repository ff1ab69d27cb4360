using MiSS.Core.Storage;

namespace MiSS.Service.Apis;

/// <summary>/api/attachments: the bytes of an attachment and a photo's thumbnail, always as downloads, never rendered as pages.</summary>
public static class AttachmentsApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapAttachmentsApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/attachments").WithTags("attachments");
        group.MapGet("/{id:long}", ContentAsync).WithSummary("Le contenu d'une pièce jointe");
        group.MapGet("/{id:long}/thumbnail", ThumbnailAsync).WithSummary("La vignette d'une photo (JPEG)");
        return api;
    }

    static async Task<IResult> ContentAsync(long id, MessageStore messages, CancellationToken ct)
    {
        if (await messages.FindAttachmentAsync(id, ct) is not { } attachment)
        {
            return ApiProblems.NotFound($"pièce jointe {id} inconnue ou effacée");
        }
        if (attachment.IsRefused)
        {
            return ApiProblems.Problem(StatusCodes.Status410Gone, "attachment-refused", "Pièce jointe refusée", attachment.RefusedReason!);
        }
        // Only images are shown inline; everything else is a download the browser does not interpret.
        var inline = attachment.MediaType is "image/jpeg" or "image/png" or "image/webp" or "image/gif";
        return Results.File(messages.ReadAttachment(attachment), attachment.MediaType, inline ? null : attachment.FileName);
    }

    static async Task<IResult> ThumbnailAsync(long id, MessageStore messages, CancellationToken ct) =>
        await messages.FindAttachmentAsync(id, ct) is { } attachment && messages.ReadThumbnail(attachment) is { } thumbnail
            ? Results.File(thumbnail, "image/jpeg")
            : ApiProblems.NotFound($"pas de vignette pour la pièce jointe {id}");
}
