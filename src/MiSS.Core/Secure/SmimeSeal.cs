using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MiSS.Mail.Mime;

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
    public Multipart Sign(MimeEntity content, X509Certificate2 signer)
    {
        var signedBytes = MimeWriter.ToBytes(content);
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

        var signature = MimePart.CreateAttachment("application/pkcs7-signature", cms.Encode(), "smime.p7s");
        var multipart = new Multipart("signed") { Parts = { content, signature } };
        multipart.ContentType.Parameters["protocol"] = "application/pkcs7-signature";
        multipart.ContentType.Parameters["micalg"] = "sha-256";
        return multipart;
    }

    /// <summary>Encrypts an entity for the given certificates: an application/pkcs7-mime enveloped-data part.</summary>
    public MimePart Encrypt(MimeEntity content, IEnumerable<X509Certificate2> recipients)
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
        var envelope = new EnvelopedCms(new ContentInfo(MimeWriter.ToBytes(content)), new AlgorithmIdentifier(Aes256Cbc));
        envelope.Encrypt(collection);
        var part = MimePart.CreateAttachment("application/pkcs7-mime", envelope.Encode(), "smime.p7m");
        part.ContentType.Parameters["smime-type"] = "enveloped-data";
        return part;
    }

    /// <summary>Signs then encrypts: what goes out as the body of a MiSS message.</summary>
    public MimePart SignAndEncrypt(MimeEntity content, X509Certificate2 signer, IEnumerable<X509Certificate2> recipients) =>
        Encrypt(Sign(content, signer), recipients.Append(signer));
}
