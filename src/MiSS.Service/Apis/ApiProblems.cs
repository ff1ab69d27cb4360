using Microsoft.AspNetCore.Diagnostics;
using MiSS.Core.Documents;
using MiSS.Core.Photos;

namespace MiSS.Service.Apis;

/// <summary>
/// Errors as RFC 9457 problem documents with a French <c>detail</c> for the user: the API's own refusals, and the
/// exceptions the product raises for bad requests (mapped here, once).
/// </summary>
public sealed class ApiProblems(IProblemDetailsService problems) : IExceptionHandler
{
    const string TypeBase = "https://miss.sante.fr/problems/";

    /// <summary>A problem result.</summary>
    public static IResult Problem(int status, string type, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type);

    /// <summary>404 for a resource that does not exist.</summary>
    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "not-found", "Introuvable", detail);

    /// <summary>The French detail of a problem the framework raised itself (no route, wrong method, body too large...).</summary>
    public static string DefaultDetail(int? status) => status switch
    {
        StatusCodes.Status400BadRequest => "la requête est mal formée",
        StatusCodes.Status401Unauthorized => "authentification requise",
        StatusCodes.Status404NotFound => "cette adresse de l'API n'existe pas",
        StatusCodes.Status405MethodNotAllowed => "cette méthode n'est pas permise sur cette adresse",
        StatusCodes.Status413PayloadTooLarge => "la requête est trop volumineuse",
        StatusCodes.Status415UnsupportedMediaType => "le corps de la requête doit être du JSON (application/json)",
        _ => "la requête n'a pas pu aboutir",
    };

    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, type, title) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "bad-request", "Requête invalide"),
            AttachmentRefusedException => (StatusCodes.Status422UnprocessableEntity, "attachment-refused", "Pièce jointe refusée"),
            PhotoException => (StatusCodes.Status422UnprocessableEntity, "photo-refused", "Photo refusée"),
            MiSS.Core.Trust.OutsideTrustSpaceException => (StatusCodes.Status422UnprocessableEntity, "outside-trust-space",
                "Destinataire hors de l'espace de confiance"),
            MiSS.Core.Secure.RecipientCertificateMissingException => (StatusCodes.Status422UnprocessableEntity, "no-recipient-certificate",
                "Certificat du destinataire inconnu"),
            FormatException => (StatusCodes.Status400BadRequest, "bad-request", "Requête invalide"),
            ArgumentException => (StatusCodes.Status400BadRequest, "bad-request", "Requête invalide"),
            InvalidOperationException => (StatusCodes.Status409Conflict, "conflict", "Action impossible"),
            _ => (0, "", ""),
        };
        if (status == 0)
        {
            return false; // a real fault: the default handler answers 500 without details
        }
        var detail = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => "la requête est trop volumineuse",
            BadHttpRequestException => "la requête est mal formée : " + exception.Message,
            FormatException => "une pièce jointe n'est pas en base64 valide",
            _ => exception.Message,
        };
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Type = TypeBase + type, Title = title, Detail = detail },
        });
    }
}
