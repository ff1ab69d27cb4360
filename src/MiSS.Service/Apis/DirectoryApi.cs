using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Secure;

namespace MiSS.Service.Apis;

/// <summary>/api/directory: finding a correspondent to write to, in the national directory and the certificate folder.</summary>
public static class DirectoryApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapDirectoryApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/directory", async (string? q, DirectorySearch directory, RecipientCertificates certificates, CancellationToken ct) =>
            {
                if (q is null || q.Trim().Length < 2)
                {
                    throw new ArgumentException("la recherche demande au moins 2 caractères (« q »)");
                }
                // Whether a message could be encrypted to each result, said before the practitioner writes to them.
                var entries = await directory.SearchAsync(q, DirectoryStore.DefaultLimit, ct);
                var encryptable = await certificates.WithCertificateAsync(entries.Select(e => e.Address), ct);
                return entries.Select(e => ApiMapping.ToDto(e, encryptable.Contains(e.Address))).ToList();
            })
            .WithTags("directory").WithSummary("Cherche un correspondant par nom, profession, spécialité, ville ou code postal, RPPS ou adresse (20 résultats au plus)");
        return api;
    }
}
