using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiSS.Core.Storage;

namespace MiSS.Core.Secure;

/// <summary>
/// The manual import of a correspondent's certificate (<c>miss certificate import</c>): a PEM or DER file whose
/// certificate chains to the trust anchors, is valid now and allows e-mail protection is kept (source <see cref="Source"/>)
/// for every mailbox it names; anything else is refused with a French reason and nothing is written.
/// </summary>
public sealed class CertificateImporter(MessageStore store, SmimeTrust trust)
{
    /// <summary>The source of the certificates imported by hand, in the store's certificates table.</summary>
    public const string Source = "import";

    /// <summary>Imports the certificate of <paramref name="file"/>; returns it and the addresses it was kept for.</summary>
    /// <exception cref="InvalidDataException">Not a certificate, not trusted, or naming no mailbox (French message).</exception>
    public async Task<(X509Certificate2 Certificate, IReadOnlyList<string> Addresses)> ImportAsync(byte[] file, CancellationToken ct = default)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = CertificateEncoding.FromBytes(file);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException("fichier illisible : ni PEM ni DER d'un certificat X.509", e);
        }
        if (trust.Check(certificate) is { } refusal)
        {
            // The trust check words its reasons for a signer; here the certificate is the correspondent's.
            throw new InvalidDataException(refusal.Reason.Replace("le certificat du signataire", "le certificat", StringComparison.Ordinal));
        }
        var addresses = PractitionerIdentity.FromCertificate(certificate).Mailboxes.Select(a => a.ToLowerInvariant()).Distinct().ToList();
        if (addresses.Count == 0)
        {
            throw new InvalidDataException("le certificat ne nomme aucune adresse de messagerie (rfc822Name)");
        }
        foreach (var address in addresses)
        {
            await store.SaveCertificateAsync(address, certificate, Source, ct);
        }
        return (certificate, addresses);
    }
}
