using MiSS.Core.PractitionerDirectory;

namespace MiSS.Service.Apis;

/// <summary>/api/directory: finding a correspondent to write to, in the national directory and the certificate folder.</summary>
public static class DirectoryApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapDirectoryApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/directory", async (string? q, DirectorySearch directory, CancellationToken ct) =>
            {
                if (q is null || q.Trim().Length < 2)
                {
                    throw new ArgumentException("la recherche demande au moins 2 caractères (« q »)");
                }
                return await directory.SearchAsync(q, DirectoryStore.DefaultLimit, ct);
            })
            .WithTags("directory").WithSummary("Cherche un correspondant par nom, profession, spécialité, ville ou code postal, RPPS ou adresse (20 résultats au plus)");
        return api;
    }
}
