using MiSS.Core.Configuration;
using MiSS.Core.Storage;

namespace MiSS.Service.Security;

/// <summary>
/// The instance's own API token: created at first start, written to <c>api-token</c> in the data folder, readable by
/// the user only (0600). Recreated if the file is lost or its token was revoked.
/// </summary>
public static class InstanceToken
{
    /// <summary>The name it has among the tokens.</summary>
    public const string Name = "miss";

    /// <summary>Its file.</summary>
    public static string PathOf(MissOptions options) => Path.Combine(options.DataDirectory, "api-token");

    /// <summary>Returns the token, creating it (and its file) when needed.</summary>
    public static async Task<string> EnsureAsync(MissOptions options, ApiTokenStore tokens, CancellationToken ct = default)
    {
        var path = PathOf(options);
        if (File.Exists(path) && (await File.ReadAllTextAsync(path, ct)).Trim() is { Length: > 0 } existing &&
            await tokens.FindActiveAsync(existing, ct) is not null)
        {
            return existing;
        }
        await tokens.RevokeAsync(Name, ct);
        var secret = await tokens.CreateAsync(Name, ct);
        File.Delete(path);
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using (var stream = new FileStream(path, file))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(secret);
        }
        return secret;
    }
}
