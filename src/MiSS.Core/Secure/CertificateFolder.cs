using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Secure;

/// <summary>
/// The folder of correspondents' certificates (<c>MiSS:Trust:CertificatesDirectory</c>): every certificate of its
/// <c>*.pem</c> files. A file that holds no readable certificate is skipped: the folder may hold other PEM files.
/// The caller owns (and disposes) what it gets.
/// </summary>
public static class CertificateFolder
{
    /// <summary>The certificates in <paramref name="folder"/>; none when it is unset or missing.</summary>
    public static IEnumerable<X509Certificate2> Read(string? folder)
    {
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            yield break;
        }
        foreach (var file in Directory.EnumerateFiles(folder, "*.pem"))
        {
            var certificates = new X509Certificate2Collection();
            try
            {
                certificates.ImportFromPemFile(file);
            }
            catch (CryptographicException)
            {
                continue;
            }
            foreach (var certificate in certificates)
            {
                yield return certificate;
            }
        }
    }
}
