using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using MiSS.Core.Messaging;

namespace MiSS.Core.Secure;

/// <summary>
/// Opens received S/MIME messages: decrypts with the mailbox's own key, checks the signature (multipart/signed or
/// opaque signed-data), builds the signer's chain to the trust anchors, requires emailProtection, and requires
/// the signer's certificate to name the From address. The result says who signed, or exactly why not.
/// </summary>
public sealed class SmimeOpener(SmimeTrust trust, X509Certificate2 ownCertificate, MimeLimits? limits = null)
{
    /// <summary>Opens a whole received message.</summary>
    public OpenedMessage Open(MimeMessage message)
    {
        var from = message.From.Mailboxes.FirstOrDefault()?.Address;
        var entity = message.Body;
        var encrypted = false;
        try
        {
            // Some clients omit smime-type: such a part is tried as enveloped-data first, then as signed-data.
            if (SmimeType(entity) is "enveloped-data" or "authenveloped-data" or "" && entity is MimePart envelope)
            {
                var bytes = MimeBytes.Decoded(envelope);
                byte[]? decrypted;
                // authEnveloped-data (AES-GCM, RFC 5083): read here, EnvelopedCms does not know it.
                if (SmimeType(entity) is "authenveloped-data" || AuthEnvelopedData.Is(bytes))
                {
                    (decrypted, var failure) = AuthEnvelopedData.Decrypt(bytes, ownCertificate);
                    if (decrypted is null)
                    {
                        return new(OpenStatus.DecryptionFailed, failure!, null, null, true);
                    }
                }
                else
                {
                    decrypted = Decrypt(bytes);
                }
                if (decrypted is not null)
                {
                    encrypted = true;
                    entity = MimeLoader.LoadEntity(decrypted, limits);
                }
                else if (SmimeType(entity) is not "")
                {
                    return new(OpenStatus.DecryptionFailed, "message chiffré illisible avec le certificat de cette boîte (destinataire différent ou enveloppe corrompue)", null, null, true);
                }
            }
            return entity is null ? new(OpenStatus.NotSmime, "message sans corps", null, null, false) : Verify(entity, from, encrypted);
        }
        catch (UnreadableMimeException e)
        {
            return new(OpenStatus.Malformed, "structure MIME illisible : " + e.Message, null, null, encrypted);
        }
        catch (CryptographicException)
        {
            // SignedCms decodes its certificates and signer infos lazily: a corrupted one throws only when read.
            return new(OpenStatus.SignatureInvalid, "signature S/MIME illisible (certificat ou structure CMS corrompus)", null, null, encrypted);
        }
    }

    OpenedMessage Verify(MimeEntity entity, string? from, bool encrypted)
    {
        SignedCms cms;
        MimeEntity content;
        byte[] encodedCms;
        if (entity is Multipart { ContentType.MediaSubtype: var sub } signed && sub.Equals("signed", StringComparison.OrdinalIgnoreCase))
        {
            if (signed.Count != 2 || signed[1] is not MimePart signaturePart)
            {
                return new(OpenStatus.SignatureInvalid, "signature S/MIME mal formée (multipart/signed incomplet)", null, null, encrypted);
            }
            content = signed[0];
            // The signed part as received (a parsed entity writes back its own bytes), line ends made CRLF.
            cms = new SignedCms(new ContentInfo(MimeBytes.Canonical(content)), detached: true);
            encodedCms = MimeBytes.Decoded(signaturePart);
            if (!TryDecode(cms, encodedCms))
            {
                return new(OpenStatus.SignatureInvalid, "signature S/MIME illisible", content, null, encrypted);
            }
        }
        else if (SmimeType(entity) is "signed-data" or "")
        {
            cms = new SignedCms();
            encodedCms = MimeBytes.Decoded((MimePart)entity);
            if (!TryDecode(cms, encodedCms))
            {
                return new(OpenStatus.SignatureInvalid, "signature S/MIME illisible", null, null, encrypted);
            }
            content = MimeLoader.LoadEntity(cms.ContentInfo.Content, limits);
        }
        else if (SmimeType(entity) is { } unsupported)
        {
            return new(OpenStatus.Malformed, $"type S/MIME non pris en charge : {unsupported}", null, null, encrypted);
        }
        else
        {
            return encrypted
                ? new(OpenStatus.Unsigned, "message chiffré mais non signé : l'expéditeur n'est pas authentifié", entity, null, true)
                : new(OpenStatus.NotSmime, "message ni chiffré ni signé", entity, null, false);
        }

        if (cms.SignerInfos.Count != 1 || cms.SignerInfos[0].Certificate is not { } certificate)
        {
            return new(OpenStatus.SignatureInvalid, "la signature doit comporter exactement un signataire avec son certificat", content, null, encrypted);
        }
        var signer = PractitionerIdentity.FromCertificate(certificate);
        if (!SignatureHolds(cms, encodedCms, certificate))
        {
            return new(OpenStatus.SignatureInvalid, "la signature ne correspond pas au contenu (message altéré)", content, signer, encrypted);
        }
        if (trust.Check(certificate, cms.Certificates) is { } failure)
        {
            return new(failure.Status, failure.Reason, content, signer, encrypted);
        }
        if (from is null || !signer.HasMailbox(from))
        {
            return new(OpenStatus.SignerAddressMismatch,
                $"le certificat du signataire ne correspond pas à l'adresse de l'expéditeur ({string.Join(", ", signer.Mailboxes)})", content, signer, encrypted);
        }
        // Protected headers: a From inside the signed part must be the same mailbox as the outer one.
        var innerFrom = content.Headers[HeaderId.From];
        if (innerFrom is not null && !(InternetAddressList.TryParse(innerFrom, out var innerAddresses) &&
                                       innerAddresses.Mailboxes.Any(a => a.Address.Equals(from, StringComparison.OrdinalIgnoreCase))))
        {
            return new(OpenStatus.SignerAddressMismatch, "l'expéditeur protégé par la signature diffère de l'expéditeur apparent", content, signer, encrypted);
        }
        return new(OpenStatus.Verified, "signature vérifiée", content, signer, encrypted, certificate);
    }

    /// <summary>
    /// The signature's own check. SignedCms takes RSASSA-PSS only with a salt as long as the hash: a PSS signature it
    /// refuses is verified again whatever its salt length.
    /// </summary>
    static bool SignatureHolds(SignedCms cms, byte[] encodedCms, X509Certificate2 certificate)
    {
        try
        {
            cms.CheckSignature(verifySignatureOnly: true);
            return true;
        }
        catch (CryptographicException)
        {
            return cms.SignerInfos[0].SignatureAlgorithm.Value == RsaPssSignature.Oid &&
                   RsaPssSignature.Verify(encodedCms, cms.ContentInfo.Content, cms.ContentInfo.ContentType.Value!, certificate);
        }
    }

    byte[]? Decrypt(byte[] envelope)
    {
        try
        {
            var cms = new EnvelopedCms();
            cms.Decode(envelope);
            cms.Decrypt(new X509Certificate2Collection(ownCertificate));
            return cms.ContentInfo.Content;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    static bool TryDecode(SignedCms cms, byte[] encoded)
    {
        try
        {
            cms.Decode(encoded);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The smime-type of an application/pkcs7-mime part, lowercased ("" when absent); null for any other entity.</summary>
    static string? SmimeType(MimeEntity? entity) =>
        entity is MimePart part && (part.ContentType.IsMimeType("application", "pkcs7-mime") || part.ContentType.IsMimeType("application", "x-pkcs7-mime"))
            ? (part.ContentType.Parameters["smime-type"] ?? "").ToLowerInvariant()
            : null;
}
