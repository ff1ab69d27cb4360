using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Secure;

/// <summary>The practitioner's own S/MIME certificate with its private key, and who it names.</summary>
public sealed class OwnCertificate(X509Certificate2 certificate)
{
    /// <summary>The certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; } = certificate.HasPrivateKey
        ? certificate
        : throw new InvalidOperationException("the practitioner's certificate has no private key");

    /// <summary>Who the certificate names.</summary>
    public PractitionerIdentity Identity { get; } = PractitionerIdentity.FromCertificate(certificate);
}
