using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MiSS.Core.Secure;

/// <summary>
/// Reads a certificate however it comes: a DER or PEM file (manual import), or the <c>data</c> of the directory's
/// <c>as-ext-digital-certificate</c> extension, which the Annuaire Santé documents as base64 of DER but which also comes
/// as base64 of PEM text or as hexadecimal ("format .crt en hexadécimal").
/// </summary>
public static class CertificateEncoding
{
    /// <summary>A certificate from the bytes of a file: PEM text or DER. Throws <see cref="CryptographicException"/> otherwise.</summary>
    public static X509Certificate2 FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var start = bytes.AsSpan().TrimStart(" \t\r\n\uFEFF"u8.ToArray());
        return start.StartsWith("-----BEGIN"u8)
            ? X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(start))
            : X509CertificateLoader.LoadCertificate(bytes);
    }

    /// <summary>
    /// A certificate from a directory value: base64 (of DER or of PEM text), hexadecimal (of either), or PEM text itself.
    /// Throws <see cref="CryptographicException"/> with a French reason when none of these gives a certificate.
    /// </summary>
    public static X509Certificate2 FromDirectoryValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Length == 0)
        {
            throw new CryptographicException("valeur vide");
        }
        if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return FromBytes(Encoding.ASCII.GetBytes(text));
        }
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        // Hexadecimal digits are base64 characters too: each reading is tried until one gives a certificate.
        foreach (var bytes in new[] { Base64(compact), Hex(compact) })
        {
            if (bytes is null)
            {
                continue;
            }
            try
            {
                return FromBytes(bytes);
            }
            catch (CryptographicException)
            {
                // the next reading
            }
        }
        throw new CryptographicException("ni base64 ni hexadécimal d'un certificat X.509 (DER ou PEM)");
    }

    static byte[]? Base64(string text)
    {
        var buffer = new byte[text.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    static byte[]? Hex(string text)
    {
        if (text.Length % 2 != 0 || !text.All(char.IsAsciiHexDigit))
        {
            return null;
        }
        return Convert.FromHexString(text);
    }
}
