using MiSS.Core.PractitionerDirectory;

namespace MiSS.Service.Apis;

/// <summary>/api/directory: finding a correspondent to write to.</summary>
public static class DirectoryApi
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapDirectoryApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/directory", (string? q, CertificateDirectory directory) =>
            {
                if (q is null || q.Trim().Length < 2)
                {
                    throw new ArgumentException("la recherche demande au moins 2 caractères (« q »)");
                }
                return directory.Search(q);
            })
            .WithTags("directory").WithSummary("Cherche un correspondant par nom, adresse ou RPPS (20 résultats au plus)");
        return api;
    }
}
