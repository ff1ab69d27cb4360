using System.Security.Cryptography.X509Certificates;
using MiSS.Core.Storage;

namespace MiSS.Core.Secure;

/// <summary>
/// Finds a correspondent's encryption certificate, in this order: learned from their verified signatures, then carried
/// by the national directory (Annuaire Santé import), then imported by hand (<c>miss certificate import</c>), then the
/// configured folder of certificates (see <see cref="MessageStore.FindCertificatesAsync"/>). What the correspondent
/// signed with is preferred: it is the key they certainly hold. Only certificates that chain to the anchors, are valid
/// now, allow e-mail protection and name the address are returned: a message is never encrypted to a key we would not
/// trust as a signer.
/// </summary>
public sealed class RecipientCertificates(MessageStore store, SmimeTrust trust, string? certificatesDirectory)
{
    /// <summary>The best certificate for an address, or null when none is known.</summary>
    public async Task<X509Certificate2?> FindAsync(string address, CancellationToken ct = default)
    {
        foreach (var certificate in (await store.FindCertificatesAsync(address, ct)).Concat(FromDirectory(address)))
        {
            if (PractitionerIdentity.FromCertificate(certificate).HasMailbox(address) && trust.Check(certificate) is null)
            {
                return certificate;
            }
        }
        return null;
    }

    IEnumerable<X509Certificate2> FromDirectory(string address)
    {
        if (string.IsNullOrEmpty(certificatesDirectory) || !Directory.Exists(certificatesDirectory))
        {
            yield break;
        }
        foreach (var file in Directory.EnumerateFiles(certificatesDirectory, "*.pem"))
        {
            var certificates = new X509Certificate2Collection();
            try
            {
                certificates.ImportFromPemFile(file);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                continue; // not a certificate file
            }
            foreach (var certificate in certificates)
            {
                if (PractitionerIdentity.FromCertificate(certificate).HasMailbox(address))
                {
                    yield return certificate;
                }
            }
        }
    }
}
