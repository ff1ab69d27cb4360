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
    public Task<X509Certificate2?> FindAsync(string address, CancellationToken ct = default) =>
        FindAsync(address, CertificateFolder.Read(certificatesDirectory), ct);

    /// <summary>The addresses among <paramref name="addresses"/> that have a usable certificate, the folder read once for all.</summary>
    public async Task<IReadOnlySet<string>> WithCertificateAsync(IEnumerable<string> addresses, CancellationToken ct = default)
    {
        var folder = CertificateFolder.Read(certificatesDirectory).ToList();
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var address in addresses)
        {
            if (await FindAsync(address, folder, ct) is not null)
            {
                found.Add(address);
            }
        }
        return found;
    }

    async Task<X509Certificate2?> FindAsync(string address, IEnumerable<X509Certificate2> folder, CancellationToken ct)
    {
        foreach (var certificate in (await store.FindCertificatesAsync(address, ct)).Concat(folder))
        {
            if (PractitionerIdentity.FromCertificate(certificate).HasMailbox(address) && trust.Check(certificate) is null)
            {
                return certificate;
            }
        }
        return null;
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
