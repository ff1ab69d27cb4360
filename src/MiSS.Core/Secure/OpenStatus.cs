namespace MiSS.Core.Secure;

/// <summary>The outcome of opening a received message. Anything but <see cref="Verified"/> says precisely what failed.</summary>
public enum OpenStatus
{
    /// <summary>Decrypted (when encrypted), signature valid, chain to a trust anchor, emailProtection, signer names the From address.</summary>
    Verified,
    /// <summary>Not an S/MIME message at all (neither encrypted nor signed).</summary>
    NotSmime,
    /// <summary>Encrypted, but not for this mailbox's certificate, or the envelope is corrupt.</summary>
    DecryptionFailed,
    /// <summary>The content carries no signature.</summary>
    Unsigned,
    /// <summary>The signature does not match the content (tampered) or is malformed.</summary>
    SignatureInvalid,
    /// <summary>The signer's certificate does not chain to a configured trust anchor, or is expired or revoked.</summary>
    UntrustedSigner,
    /// <summary>The signer's certificate is not meant for e-mail protection.</summary>
    WrongCertificateUsage,
    /// <summary>The signer's certificate does not name the From address (or the protected From differs from the outer one).</summary>
    SignerAddressMismatch,
    /// <summary>The MIME structure could not be read.</summary>
    Malformed,
    /// <summary>The signer's certificate is on its CA's revocation list: its key may be in other hands.</summary>
    SignerRevoked,
}
