using System.Security.Cryptography.X509Certificates;
using MimeKit;

namespace MiSS.Core.Secure;

/// <summary>
/// A received message after decryption and signature checking. <see cref="Content"/> is set whenever the content could
/// be read, even when the signature is not trusted, so that the caller can show it with the right warning or quarantine it.
/// </summary>
/// <param name="Status">Verified, or the precise reason it is not.</param>
/// <param name="Detail">A short explanation for logs and users (never message content).</param>
/// <param name="Content">The inner MIME entity (protected headers and body), when it could be read.</param>
/// <param name="Signer">Who signed, read from the certificate (also set when the chain is not trusted).</param>
/// <param name="WasEncrypted">True when the message came encrypted.</param>
/// <param name="SignerCertificate">The signer's certificate, to learn it once verified (the key to encrypt replies with).</param>
public sealed record OpenedMessage(OpenStatus Status, string Detail, MimeEntity? Content, PractitionerIdentity? Signer, bool WasEncrypted,
    X509Certificate2? SignerCertificate = null)
{
    /// <summary>True when the signer is verified.</summary>
    public bool IsVerified => Status == OpenStatus.Verified;
}
