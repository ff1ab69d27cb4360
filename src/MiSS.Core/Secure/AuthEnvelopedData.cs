using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Secure;

/// <summary>
/// Reads CMS authEnveloped-data (RFC 5083) encrypted with AES-GCM (RFC 5084) for a key-transport RSA recipient
/// (RSAES-PKCS1-v1_5 or RSAES-OAEP): what RFC 8551 requires receivers to read and .NET's EnvelopedCms does not.
/// Strict: any structure or algorithm not listed here is refused, and the content is returned only once its tag verified.
/// </summary>
public static class AuthEnvelopedData
{
    /// <summary>id-ct-authEnvelopedData.</summary>
    public const string ContentTypeOid = "1.2.840.113549.1.9.16.1.23";

    const string RsaEncryption = "1.2.840.113549.1.1.1";
    const string RsaesOaep = "1.2.840.113549.1.1.7";
    const string Mgf1 = "1.2.840.113549.1.1.8";
    const string PSpecified = "1.2.840.113549.1.1.9";
    const string Sha1 = "1.3.14.3.2.26";

    static readonly Dictionary<string, int> GcmKeySizes = new()
    {
        ["2.16.840.1.101.3.4.1.6"] = 16, // id-aes128-GCM
        ["2.16.840.1.101.3.4.1.26"] = 24, // id-aes192-GCM
        ["2.16.840.1.101.3.4.1.46"] = 32, // id-aes256-GCM
    };

    static readonly Dictionary<string, HashAlgorithmName> OaepHashes = new()
    {
        [Sha1] = HashAlgorithmName.SHA1,
        ["2.16.840.1.101.3.4.2.1"] = HashAlgorithmName.SHA256,
        ["2.16.840.1.101.3.4.2.2"] = HashAlgorithmName.SHA384,
        ["2.16.840.1.101.3.4.2.3"] = HashAlgorithmName.SHA512,
    };

    static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0);
    static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    static readonly Asn1Tag Context2 = new(TagClass.ContextSpecific, 2, isConstructed: true);

    /// <summary>The outcome: the decrypted content, or why there is none (French, shown to the user).</summary>
    public readonly record struct Result(byte[]? Content, string? Failure);

    /// <summary>True when <paramref name="encoded"/> is a ContentInfo holding authEnveloped-data.</summary>
    public static bool Is(byte[] encoded)
    {
        try
        {
            return new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence().ReadObjectIdentifier() == ContentTypeOid;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>Decrypts for <paramref name="recipient"/> (with its RSA private key); never throws on hostile input.</summary>
    public static Result Decrypt(byte[] encoded, X509Certificate2 recipient)
    {
        try
        {
            return DecryptStrict(encoded, recipient);
        }
        catch (AsnContentException)
        {
            return Refused("structure illisible");
        }
        catch (CryptographicException)
        {
            return Refused("clé ou contenu illisible");
        }
    }

    static Result DecryptStrict(byte[] encoded, X509Certificate2 recipient)
    {
        var outer = new AsnReader(encoded, AsnEncodingRules.BER);
        var contentInfo = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        if (contentInfo.ReadObjectIdentifier() != ContentTypeOid)
        {
            return Refused("ce n'est pas une enveloppe authEnveloped-data");
        }
        var wrapper = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        contentInfo.ThrowIfNotEmpty();
        var data = wrapper.ReadSequence();
        wrapper.ThrowIfNotEmpty();

        if (!data.TryReadInt32(out var version) || version != 0)
        {
            return Refused("version inconnue");
        }
        if (data.PeekTag().HasSameClassAndValue(Context0))
        {
            data.ReadEncodedValue(); // originatorInfo: certificates and CRLs the decryption does not need
        }
        var recipientInfos = data.ReadSetOf(skipSortOrderValidation: true);

        var contentInfoEncrypted = data.ReadSequence();
        contentInfoEncrypted.ReadObjectIdentifier();
        var algorithm = contentInfoEncrypted.ReadSequence();
        var algorithmOid = algorithm.ReadObjectIdentifier();
        if (!GcmKeySizes.TryGetValue(algorithmOid, out var keySize))
        {
            return Refused($"algorithme de chiffrement non pris en charge ({algorithmOid})");
        }
        var gcmParameters = algorithm.ReadSequence();
        algorithm.ThrowIfNotEmpty();
        var nonce = gcmParameters.ReadOctetString();
        var tagSize = 12;
        if (gcmParameters.HasData && (!gcmParameters.TryReadInt32(out tagSize) || tagSize is < 12 or > 16))
        {
            return Refused("longueur d'étiquette GCM non prise en charge");
        }
        gcmParameters.ThrowIfNotEmpty();
        if (nonce.Length != 12)
        {
            return Refused("nonce GCM de longueur non prise en charge");
        }
        if (!contentInfoEncrypted.HasData)
        {
            return Refused("contenu chiffré absent");
        }
        var ciphertext = contentInfoEncrypted.ReadOctetString(Context0);
        contentInfoEncrypted.ThrowIfNotEmpty();

        // authAttrs are authenticated as their DER SET OF (RFC 5083 §2.2): the [1] tag replaced by SET's.
        byte[] associatedData = [];
        if (data.HasData && data.PeekTag().HasSameClassAndValue(Context1))
        {
            var attributes = data.ReadEncodedValue().ToArray();
            if (attributes[1] == 0x80)
            {
                return Refused("attributs authentifiés mal encodés");
            }
            attributes[0] = 0x31;
            associatedData = attributes;
        }
        var mac = data.ReadOctetString();
        if (data.HasData && data.PeekTag().HasSameClassAndValue(Context2))
        {
            data.ReadEncodedValue(); // unauthAttrs
        }
        data.ThrowIfNotEmpty();
        if (mac.Length != tagSize)
        {
            return Refused("étiquette d'authentification de longueur inattendue");
        }

        var key = ContentKey(recipientInfos, recipient, out var failure);
        if (key is null)
        {
            return Refused(failure!);
        }
        try
        {
            if (key.Length != keySize)
            {
                return Refused(Unauthentic);
            }
            var plaintext = new byte[ciphertext.Length];
            using var gcm = new AesGcm(key, tagSize);
            gcm.Decrypt(nonce, ciphertext, mac, plaintext, associatedData);
            return new(plaintext, null);
        }
        catch (AuthenticationTagMismatchException)
        {
            return Refused(Unauthentic);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The content-encryption key from the first key-transport RecipientInfo that names this certificate.</summary>
    static byte[]? ContentKey(AsnReader recipientInfos, X509Certificate2 recipient, out string? failure)
    {
        failure = "aucune clé pour le certificat de cette boîte (destinataire différent)";
        while (recipientInfos.HasData)
        {
            if (!recipientInfos.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                recipientInfos.ReadEncodedValue(); // key agreement, KEK, password, other: not for an RSA mailbox key
                continue;
            }
            var info = recipientInfos.ReadSequence();
            if (!info.TryReadInt32(out var version) || version is not (0 or 2) || !Names(info, recipient))
            {
                continue;
            }
            var algorithm = info.ReadSequence();
            var padding = Padding(algorithm);
            var encryptedKey = info.ReadOctetString();
            info.ThrowIfNotEmpty();
            if (padding is null)
            {
                failure = "transport de clé non pris en charge";
                return null;
            }
            using var rsa = recipient.GetRSAPrivateKey();
            if (rsa is null)
            {
                failure = "clé privée RSA de la boîte indisponible";
                return null;
            }
            try
            {
                return rsa.Decrypt(encryptedKey, padding);
            }
            catch (CryptographicException)
            {
                failure = Unauthentic;
                return null;
            }
        }
        return null;
    }

    /// <summary>Reads the RecipientIdentifier and says whether it names <paramref name="recipient"/>.</summary>
    static bool Names(AsnReader info, X509Certificate2 recipient)
    {
        if (info.PeekTag().HasSameClassAndValue(Context0))
        {
            var keyId = info.ReadOctetString(Context0);
            return recipient.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault() is { } ski &&
                   ski.SubjectKeyIdentifierBytes.Span.SequenceEqual(keyId);
        }
        var issuerAndSerial = info.ReadSequence();
        var issuer = issuerAndSerial.ReadEncodedValue();
        var serial = issuerAndSerial.ReadInteger();
        issuerAndSerial.ThrowIfNotEmpty();
        return issuer.Span.SequenceEqual(recipient.IssuerName.RawData) &&
               serial == new BigInteger(recipient.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>The RSA padding a key-transport algorithm names, or null when it is not one supported here.</summary>
    static RSAEncryptionPadding? Padding(AsnReader algorithm)
    {
        var oid = algorithm.ReadObjectIdentifier();
        if (oid == RsaEncryption)
        {
            if (algorithm.HasData)
            {
                algorithm.ReadNull();
            }
            algorithm.ThrowIfNotEmpty();
            return RSAEncryptionPadding.Pkcs1;
        }
        if (oid != RsaesOaep)
        {
            return null;
        }
        // RSAES-OAEP-params: every field has a default (SHA-1, MGF1 with SHA-1, empty label).
        var hash = Sha1;
        var mgfHash = Sha1;
        if (algorithm.HasData)
        {
            var parameters = algorithm.ReadSequence();
            if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            {
                hash = AlgorithmOid(parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)));
            }
            if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1, true)))
            {
                var mgf = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true)).ReadSequence();
                if (mgf.ReadObjectIdentifier() != Mgf1)
                {
                    return null;
                }
                mgfHash = AlgorithmOid(mgf);
            }
            if (parameters.HasData)
            {
                var source = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2, true)).ReadSequence();
                if (source.ReadObjectIdentifier() != PSpecified || source.ReadOctetString().Length != 0)
                {
                    return null; // a label: .NET's OAEP has none
                }
            }
            parameters.ThrowIfNotEmpty();
        }
        algorithm.ThrowIfNotEmpty();
        // .NET's OAEP uses the same hash for MGF1.
        return hash == mgfHash && OaepHashes.TryGetValue(hash, out var name) ? RSAEncryptionPadding.CreateOaep(name) : null;
    }

    /// <summary>The OID of an AlgorithmIdentifier SEQUENCE (its optional NULL parameters skipped).</summary>
    static string AlgorithmOid(AsnReader wrapper)
    {
        var identifier = wrapper.ReadSequence();
        var oid = identifier.ReadObjectIdentifier();
        if (identifier.HasData)
        {
            identifier.ReadNull();
        }
        identifier.ThrowIfNotEmpty();
        return oid;
    }

    /// <summary>One reason for a key that does not decrypt and a tag that does not verify: no padding oracle.</summary>
    const string Unauthentic = "clé ou étiquette d'authentification invalide (message altéré ou destinataire différent)";

    static Result Refused(string reason) => new(null, "message chiffré (authEnveloped-data) illisible : " + reason);
}
