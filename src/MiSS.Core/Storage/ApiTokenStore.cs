using System.Security.Cryptography;
using System.Text;

namespace MiSS.Core.Storage;

/// <summary>What a token of the local API may do.</summary>
public enum ApiTokenScope
{
    /// <summary>Everything the practitioner can do through the API (the instance's own token, the web client).</summary>
    Full,
    /// <summary>Read only (GET): for a program that shows conversations, unread counts or the audit, and writes nothing.</summary>
    Read,
}

/// <summary>A token of the local API as listed (never its secret).</summary>
public sealed record ApiToken(string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, ApiTokenScope Scope = ApiTokenScope.Full)
{
    /// <summary>True while it opens the API.</summary>
    public bool IsActive => RevokedAt is null;
}

/// <summary>
/// The local API's tokens: 256 random bits each, given once to whoever creates it; the store keeps only their SHA-256,
/// so a copy of the database opens nothing. Creations and revocations go to the audit trail, whoever makes them
/// (command line, service start, tests).
/// </summary>
public sealed class ApiTokenStore(StoreDatabase db, Audit.AuditTrail audit, TimeProvider time)
{
    /// <summary>Creates a named token and returns its secret (shown once). The name of an active token is refused.</summary>
    public async Task<string> CreateAsync(string name, CancellationToken ct = default) => await CreateAsync(name, ApiTokenScope.Full, ct);

    /// <summary>Creates a named token of <paramref name="scope"/> and returns its secret (shown once).</summary>
    public async Task<string> CreateAsync(string name, ApiTokenScope scope, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException("nom de jeton invalide : lettres, chiffres, « - », « _ » ou « . », 64 caractères au plus");
        }
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        // A revoked name can be given again; an active one cannot.
        var created = await db.ExecuteAsync("""
            INSERT INTO api_tokens (name, sha256, created_at, scope) VALUES ($name, $hash, $now, $scope)
            ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, created_at = excluded.created_at, scope = excluded.scope, revoked_at = NULL
            WHERE revoked_at IS NOT NULL
            """, ct, ("$name", name), ("$hash", Hash(secret)), ("$now", time.GetUtcNow().ToUnixTimeMilliseconds()), ("$scope", scope.ToString()));
        if (created == 0)
        {
            throw new InvalidOperationException($"un jeton nommé « {name} » existe déjà");
        }
        await audit.AppendAsync(Audit.AuditKinds.TokenCreated, null, null, name,
            scope == ApiTokenScope.Read ? "jeton créé (lecture seule)" : "jeton créé", ct);
        return secret;
    }

    /// <summary>Revokes a token; false when there is no active token of that name.</summary>
    public async Task<bool> RevokeAsync(string name, CancellationToken ct = default)
    {
        if (await db.ExecuteAsync("UPDATE api_tokens SET revoked_at = $now WHERE name = $name AND revoked_at IS NULL", ct,
                ("$name", name), ("$now", time.GetUtcNow().ToUnixTimeMilliseconds())) != 1)
        {
            return false;
        }
        await audit.AppendAsync(Audit.AuditKinds.TokenRevoked, null, null, name, "jeton révoqué", ct);
        return true;
    }

    /// <summary>Every token, active or revoked.</summary>
    public Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken ct = default) =>
        db.QueryAsync($"SELECT {Columns} FROM api_tokens ORDER BY name", Read, ct);

    /// <summary>The active token with this secret, or null.</summary>
    public async Task<ApiToken?> FindActiveAsync(string secret, CancellationToken ct = default) =>
        (await db.QueryAsync($"SELECT {Columns} FROM api_tokens WHERE sha256 = $hash AND revoked_at IS NULL", Read, ct,
            ("$hash", Hash(secret)))).FirstOrDefault();

    const string Columns = "name, created_at, revoked_at, scope";

    static ApiToken Read(Microsoft.Data.Sqlite.SqliteDataReader r) => new(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
        r.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), Enum.Parse<ApiTokenScope>(r.GetString(3)));

    static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret))).ToLowerInvariant();
}
