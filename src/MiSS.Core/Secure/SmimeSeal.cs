using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using ApplicationPkcs7Mime = MimeKit.Cryptography.ApplicationPkcs7Mime;
using ApplicationPkcs7Signature = MimeKit.Cryptography.ApplicationPkcs7Signature;
using MultipartSigned = MimeKit.Cryptography.MultipartSigned;
using SecureMimeType = MimeKit.Cryptography.SecureMimeType;
using MiSS.Core.Messaging;

namespace MiSS.Core.Secure;

/// <summary>
/// Seals content the S/MIME way (RFC 8551): sign (multipart/signed, SHA-256, detached) then encrypt
/// (AES-256-CBC enveloped-data) for every recipient and for the sender, so the sender's own copy stays readable.
/// </summary>
public sealed class SmimeSeal(SmimeTrust trust, TimeProvider time)
{
    static readonly Oid Sha256 = new("2.16.840.1.101.3.4.2.1");
    static readonly Oid Aes256Cbc = new("2.16.840.1.101.3.4.1.42");

    /// <summary>
    /// Key transport padding. RSAES-PKCS1-v1_5 by default: every S/MIME client in the field opens it (RFC 8551 requires it of
    /// receivers); RSAES-OAEP where all recipients are known to support it.
    /// </summary>
    public RSAEncryptionPadding KeyTransportPadding { get; init; } = RSAEncryptionPadding.Pkcs1;

    /// <summary>Signs <paramref name="content"/> with <paramref name="signer"/>'s key: a multipart/signed entity.</summary>
    public MultipartSigned Sign(MimeEntity content, X509Certificate2 signer)
    {
        // 7-bit transfer encodings, so that no relay re-encodes (and so breaks) what was signed.
        content.Prepare(EncodingConstraint.SevenBit, 78);
        var signedBytes = MimeBytes.Canonical(content);
        var cmsSigner = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, signer)
        {
            DigestAlgorithm = Sha256,
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        // Send the issuing CAs along so the receiver can build the chain up to its anchor.
        cmsSigner.Certificates.AddRange(trust.Intermediates);
        cmsSigner.SignedAttributes.Add(new Pkcs9SigningTime(time.GetUtcNow().UtcDateTime));
        var cms = new SignedCms(new ContentInfo(signedBytes), detached: true);
        cms.ComputeSignature(cmsSigner, silent: true);

        // The signed part travels as the very bytes that were signed (read back from them), whatever writes it next.
        var multipart = new MultipartSigned { MimeEntity.Load(new MemoryStream(signedBytes)), new ApplicationPkcs7Signature(new MemoryStream(cms.Encode())) };
        multipart.ContentType.Parameters["protocol"] = "application/pkcs7-signature";
        multipart.ContentType.Parameters["micalg"] = "sha-256";
        return multipart;
    }

    /// <summary>Encrypts an entity for the given certificates: an application/pkcs7-mime enveloped-data part.</summary>
    public ApplicationPkcs7Mime Encrypt(MimeEntity content, IEnumerable<X509Certificate2> recipients)
    {
        var collection = new CmsRecipientCollection();
        foreach (var certificate in recipients.DistinctBy(c => c.Thumbprint))
        {
            collection.Add(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, certificate, KeyTransportPadding));
        }
        if (collection.Count == 0)
        {
            throw new ArgumentException("at least one recipient certificate is required", nameof(recipients));
        }
        var envelope = new EnvelopedCms(new ContentInfo(MimeBytes.Canonical(content)), new AlgorithmIdentifier(Aes256Cbc));
        envelope.Encrypt(collection);
        return new ApplicationPkcs7Mime(SecureMimeType.EnvelopedData, new MemoryStream(envelope.Encode()));
    }

    /// <summary>Signs then encrypts: what goes out as the body of a MiSS message.</summary>
    public ApplicationPkcs7Mime SignAndEncrypt(MimeEntity content, X509Certificate2 signer, IEnumerable<X509Certificate2> recipients) =>
        Encrypt(Sign(content, signer), recipients.Append(signer));
}
