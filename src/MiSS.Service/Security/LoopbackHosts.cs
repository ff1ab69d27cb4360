using MiSS.Service.Apis;

namespace MiSS.Service.Security;

/// <summary>
/// Refuses any request whose Host is not a loopback name: a web page on another site that rebinds its DNS name to
/// 127.0.0.1 reaches this port with its own Host, and is turned away before anything else runs.
/// </summary>
public static class LoopbackHosts
{
    static readonly HashSet<string> Allowed = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]", "::1" };

    /// <summary>True for localhost, 127.0.0.1 and [::1], on any port.</summary>
    public static bool IsLoopback(HostString host) => host.HasValue && Allowed.Contains(host.Host);

    /// <summary>Adds the check in front of the pipeline.</summary>
    public static IApplicationBuilder UseLoopbackHostsOnly(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!IsLoopback(context.Request.Host))
        {
            await ApiProblems.Problem(StatusCodes.Status400BadRequest, "foreign-host", "Hôte refusé",
                "le service MiSS ne répond qu'aux adresses locales (localhost, 127.0.0.1, [::1])").ExecuteAsync(context);
            return;
        }
        await next(context);
    });
}
