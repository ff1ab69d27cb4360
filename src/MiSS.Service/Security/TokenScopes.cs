using MiSS.Core.Storage;
using MiSS.Service.Apis;

namespace MiSS.Service.Security;

/// <summary>
/// What a token may do (<see cref="ApiTokenScope"/>): a read-only token gets 403 for anything but GET, before the
/// endpoint runs, so nothing it sends is stored, sent or changed; it cannot open a web session either.
/// </summary>
public static class TokenScopes
{
    /// <summary>The claim that carries the scope of the authenticated caller.</summary>
    public const string ClaimType = "miss:scope";

    /// <summary>Refuses changes to callers whose token is read-only.</summary>
    public static RouteGroupBuilder EnforceTokenScopes(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
                && http.User.FindFirst(ClaimType)?.Value == nameof(ApiTokenScope.Read))
            {
                return ApiProblems.Problem(StatusCodes.Status403Forbidden, "read-only-token", "Jeton en lecture seule",
                    $"le jeton « {http.User.Identity?.Name} » ne permet que la lecture : créez un jeton complet avec « miss token create NOM »");
            }
            return await next(context);
        });
        return group;
    }
}
