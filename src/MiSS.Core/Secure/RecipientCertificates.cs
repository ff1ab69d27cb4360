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
    /// <summary>The French reason a recipient without a known certificate does not get a message.</summary>
    public static string MissingReason(string address) =>
        $"aucun certificat de chiffrement valide connu pour {address} : message non envoyé à ce destinataire (jamais en clair). " +
        "Son certificat est appris dès qu'il vous écrit ; il peut aussi venir de l'annuaire ou être importé (miss certificate import)";

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

/// <summary>
/// No member of a conversation has a known, trusted encryption certificate, and the policy forbids sending signed only:
/// the message is refused before it is stored.
/// </summary>
public sealed class RecipientCertificateMissingException(IReadOnlyList<string> addresses)
    : InvalidOperationException(addresses.Count == 1
        ? RecipientCertificates.MissingReason(addresses[0])
        : "aucun certificat de chiffrement valide connu pour les membres de cette conversation : message non envoyé (jamais en clair). " +
          "Leurs certificats sont appris dès qu'ils vous écrivent ; ils peuvent aussi venir de l'annuaire ou être importés (miss certificate import)")
{
    /// <summary>The recipients without a known certificate.</summary>
    public IReadOnlyList<string> Addresses { get; } = addresses;
}
