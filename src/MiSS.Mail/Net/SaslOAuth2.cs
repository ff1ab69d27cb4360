using System.Text;
using System.Text.Json;

namespace MiSS.Mail.Net;

/// <summary>
/// The SASL XOAUTH2 mechanism shared by SMTP and IMAP: the client response
/// "user={name}^Aauth=Bearer {token}^A^A" in base64, and the JSON error document a server sends as a challenge when
/// it refuses the token. Nothing here ever puts the token into an exception message.
/// </summary>
internal static class SaslOAuth2
{
    private const int MaxDetailLength = 200;

    /// <summary>The base64 client response; throws <see cref="ArgumentException"/> (without the token) for unusable input.</summary>
    public static string InitialResponse(string userName, string accessToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        if (userName.Any(c => c < ' ' || c == '\u007f'))
        {
            throw new ArgumentException("the user name must not contain control characters", nameof(userName));
        }

        // Checked by hand so that the value never reaches an exception message.
        if (accessToken.Any(c => c is < '!' or > '~'))
        {
            throw new ArgumentException("the access token must be printable ASCII without spaces", nameof(accessToken));
        }

        return Convert.ToBase64String(Encoding.UTF8.GetBytes($"user={userName}\u0001auth=Bearer {accessToken}\u0001\u0001"));
    }

    /// <summary>
    /// Turns the server's error challenge (base64 of a JSON object such as {"status":"401","schemes":"Bearer","scope":...})
    /// into " (OAuth2 status 401)" for an error message; an empty string when it cannot be read.
    /// </summary>
    public static string DescribeErrorChallenge(string challenge)
    {
        try
        {
            var json = Convert.FromBase64String(challenge.Trim());
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return string.Empty;
            }

            var parts = new List<string>();
            foreach (var name in new[] { "status", "schemes", "scope" })
            {
                if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                {
                    parts.Add($"{name} {Printable(value.ToString())}");
                }
            }

            return parts.Count == 0 ? string.Empty : $" (OAuth2 {string.Join(", ", parts)})";
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return string.Empty;
        }
    }

    private static string Printable(string text)
    {
        var cleaned = new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return cleaned.Length > MaxDetailLength ? cleaned[..MaxDetailLength] : cleaned;
    }
}
