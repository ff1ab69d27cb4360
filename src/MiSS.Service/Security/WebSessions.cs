using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MiSS.Service.Security;

/// <summary>
/// Sessions of the web client: a one-time code, printed by the service (a link), is exchanged once for a session id
/// that lives in an HttpOnly, SameSite=Strict cookie. Both live in memory: a restart asks for a new link.
/// </summary>
public sealed class WebSessions(TimeProvider time)
{
    /// <summary>The cookie's name.</summary>
    public const string Cookie = "miss_session";

    /// <summary>How long a code may wait before it is used.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    readonly ConcurrentDictionary<string, DateTimeOffset> _codes = new();
    readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new();

    /// <summary>A new one-time code.</summary>
    public string CreateCode()
    {
        var code = NewSecret();
        _codes[code] = time.GetUtcNow() + CodeLifetime;
        return code;
    }

    /// <summary>Exchanges a code for a new session id; null when the code is unknown, used or expired.</summary>
    public string? Redeem(string? code)
    {
        if (code is null || !_codes.TryRemove(code, out var until) || until < time.GetUtcNow())
        {
            return null;
        }
        var session = NewSecret();
        _sessions[session] = time.GetUtcNow();
        return session;
    }

    /// <summary>True for a session created here.</summary>
    public bool IsValid(string? session) => session is not null && _sessions.ContainsKey(session);

    static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
