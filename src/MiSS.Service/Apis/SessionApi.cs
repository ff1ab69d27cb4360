using MiSS.Service.Security;

namespace MiSS.Service.Apis;

/// <summary>
/// The web client's session: /session exchanges a one-time code for the HttpOnly cookie; /api/session-links gives a
/// new one-time link to whoever holds a token (the `miss web` command, an embedding program opening the client).
/// </summary>
public static class SessionApi
{
    /// <summary>A one-time link on <paramref name="baseAddress"/>.</summary>
    public static Uri Link(Uri baseAddress, WebSessions sessions) => new(baseAddress, $"/session?code={sessions.CreateCode()}");

    /// <summary>Maps /session (public: the code is the credential).</summary>
    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/session", (string? code, WebSessions sessions, HttpContext context) =>
        {
            if (sessions.Redeem(code) is not { } session)
            {
                return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "session-link", "Lien de session invalide",
                    "ce lien a déjà servi ou a expiré : « miss web » en donne un nouveau");
            }
            context.Response.Cookies.Append(WebSessions.Cookie, session, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                IsEssential = true,
            });
            return Results.Redirect("/");
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>Maps POST /api/session-links.</summary>
    public static IEndpointRouteBuilder MapSessionLinksApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/session-links", (HttpContext context, WebSessions sessions) =>
                new SessionLinkDto(Link(new Uri($"{context.Request.Scheme}://{context.Request.Host}"), sessions)))
            .WithTags("account").WithSummary("Un lien à usage unique qui ouvre le client web (valable 10 minutes)");
        return api;
    }
}
