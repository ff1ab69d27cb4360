using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using MiSS.Core.Storage;
using MiSS.Service.Apis;

namespace MiSS.Service.Security;

/// <summary>
/// Who may use the API: a bearer token whose SHA-256 is in the store (the instance's own, or a named one for an
/// embedding program), or the web client's session cookie. Anything else gets 401 as a problem document.
/// </summary>
public sealed class ApiAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    ApiTokenStore tokens,
    WebSessions sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "MiSS";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? name = null;
        var scope = ApiTokenScope.Full;
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (await tokens.FindActiveAsync(authorization["Bearer ".Length..].Trim(), Context.RequestAborted) is not { } token)
            {
                return AuthenticateResult.Fail("jeton inconnu ou révoqué");
            }
            (name, scope) = (token.Name, token.Scope);
        }
        else if (sessions.IsValid(Request.Cookies[WebSessions.Cookie]))
        {
            name = "web";
        }
        if (name is null)
        {
            return AuthenticateResult.NoResult();
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(TokenScopes.ClaimType, scope.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiProblems.Problem(StatusCodes.Status401Unauthorized, "unauthorized", "Authentification requise",
            "jeton absent, inconnu ou révoqué : utilisez « Authorization: Bearer <jeton> » ou ouvrez le lien donné par « miss web »")
            .ExecuteAsync(Context);
}
