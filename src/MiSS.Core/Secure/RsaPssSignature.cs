using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace MiSS.Core.Secure;

/// <summary>
/// Verifies a CMS RSASSA-PSS signature (RFC 4056) whatever its salt length. .NET's SignedCms accepts only a salt as long
/// as the hash, and its RSA has no other PSS: others sign with 20 bytes (the ASN.1 default) or the maximum (OpenSSL's
/// default for some versions). The CMS structure is read here; the signature itself is BouncyCastle's PssSigner (already
/// beside MimeKit), used for this fallback only: .NET's own CMS stays the path of every other message.
/// </summary>
static class RsaPssSignature
{
    public const string Oid = "1.2.840.113549.1.1.10";

    const string Mgf1 = "1.2.840.113549.1.1.8";
    const string MessageDigestAttribute = "1.2.840.113549.1.9.4";
    const string ContentTypeAttribute = "1.2.840.113549.1.9.3";
    const string Sha1 = "1.3.14.3.2.26";

    static readonly Dictionary<string, HashAlgorithmName> Hashes = new()
    {
        ["2.16.840.1.101.3.4.2.1"] = HashAlgorithmName.SHA256,
        ["2.16.840.1.101.3.4.2.2"] = HashAlgorithmName.SHA384,
        ["2.16.840.1.101.3.4.2.3"] = HashAlgorithmName.SHA512,
    };

    /// <summary>
    /// True when the single SignerInfo of <paramref name="encodedCms"/> is a valid RSASSA-PSS signature by
    /// <paramref name="signer"/> over <paramref name="content"/> (through its signed attributes when present).
    /// </summary>
    public static bool Verify(byte[] encodedCms, byte[] content, string contentType, X509Certificate2 signer)
    {
        try
        {
            return VerifyStrict(encodedCms, content, contentType, signer);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    static bool VerifyStrict(byte[] encodedCms, byte[] content, string contentType, X509Certificate2 signer)
    {
        using var rsa = signer.GetRSAPublicKey();
        if (rsa is null)
        {
            return false;
        }
        var info = SignerInfo(encodedCms);
        info.TryReadInt32(out _);
        info.ReadEncodedValue(); // sid: SignedCms already matched it to the certificate passed in
        var digestAlgorithm = AlgorithmOid(info.ReadSequence());
        byte[]? signedAttributes = null;
        if (info.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
        {
            signedAttributes = info.ReadEncodedValue().ToArray();
            signedAttributes[0] = 0x31; // signed as a DER SET OF (RFC 5652 §5.4)
        }
        var algorithm = info.ReadSequence();
        if (algorithm.ReadObjectIdentifier() != Oid || !Parameters(algorithm.ReadSequence(), out var hashOid, out var saltLength))
        {
            return false;
        }
        algorithm.ThrowIfNotEmpty();
        var signature = info.ReadOctetString();
        if (!Hashes.TryGetValue(digestAlgorithm, out var digest) || !Hashes.TryGetValue(hashOid, out var hash))
        {
            return false;
        }
        if (signedAttributes is not null && !AttributesMatch(signedAttributes, CryptographicOperations.HashData(digest, content), contentType))
        {
            return false;
        }
        return PssVerify(rsa, signedAttributes ?? content, signature, hash, saltLength);
    }

    /// <summary>The reader positioned inside the one SignerInfo of a ContentInfo holding SignedData.</summary>
    static AsnReader SignerInfo(byte[] encodedCms)
    {
        var contentInfo = new AsnReader(encodedCms, AsnEncodingRules.BER).ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
        signedData.ReadEncodedValue(); // version
        signedData.ReadEncodedValue(); // digestAlgorithms
        signedData.ReadEncodedValue(); // encapContentInfo
        while (signedData.PeekTag().TagClass == TagClass.ContextSpecific)
        {
            signedData.ReadEncodedValue(); // certificates, crls
        }
        var signerInfos = signedData.ReadSetOf(skipSortOrderValidation: true);
        var info = signerInfos.ReadSequence();
        signerInfos.ThrowIfNotEmpty();
        return info;
    }

    /// <summary>RSASSA-PSS-params: hash, MGF1 with that same hash, salt length, trailer 1.</summary>
    static bool Parameters(AsnReader parameters, out string hash, out int saltLength)
    {
        hash = Sha1;
        saltLength = 20;
        var mgfHash = Sha1;
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
        {
            hash = AlgorithmOid(parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence());
        }
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1, true)))
        {
            var mgf = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true)).ReadSequence();
            if (mgf.ReadObjectIdentifier() != Mgf1)
            {
                return false;
            }
            mgfHash = AlgorithmOid(mgf.ReadSequence());
            mgf.ThrowIfNotEmpty();
        }
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2, true)) &&
            !parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2, true)).TryReadInt32(out saltLength))
        {
            return false;
        }
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3, true)) &&
            !(parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true)).TryReadInt32(out var trailer) && trailer == 1))
        {
            return false;
        }
        parameters.ThrowIfNotEmpty();
        return mgfHash == hash && saltLength >= 0;
    }

    /// <summary>The signed attributes hold the content's digest and type (RFC 5652 §11.1, §11.2).</summary>
    static bool AttributesMatch(byte[] attributes, byte[] digest, string contentType)
    {
        var set = new AsnReader(attributes, AsnEncodingRules.BER).ReadSetOf(skipSortOrderValidation: true);
        var digestMatches = false;
        var typeMatches = false;
        while (set.HasData)
        {
            var attribute = set.ReadSequence();
            var oid = attribute.ReadObjectIdentifier();
            var values = attribute.ReadSetOf(skipSortOrderValidation: true);
            if (oid == MessageDigestAttribute)
            {
                digestMatches = CryptographicOperations.FixedTimeEquals(values.ReadOctetString(), digest) && !values.HasData;
            }
            else if (oid == ContentTypeAttribute)
            {
                typeMatches = values.ReadObjectIdentifier() == contentType && !values.HasData;
            }
        }
        return digestMatches && typeMatches;
    }

    /// <summary>RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with MGF1 over <paramref name="hash"/> and the given salt length: BouncyCastle's PssSigner.</summary>
    static bool PssVerify(RSA rsa, byte[] message, byte[] signature, HashAlgorithmName hash, int saltLength)
    {
        IDigest Digest() => hash == HashAlgorithmName.SHA512 ? new Sha512Digest() : hash == HashAlgorithmName.SHA384 ? new Sha384Digest() : new Sha256Digest();
        var verifier = new PssSigner(new RsaEngine(), Digest(), Digest(), saltLength);
        verifier.Init(false, DotNetUtilities.GetRsaPublicKey(rsa.ExportParameters(includePrivateParameters: false)));
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }

    /// <summary>The OID of an AlgorithmIdentifier (its optional NULL parameters checked).</summary>
    static string AlgorithmOid(AsnReader identifier)
    {
        var oid = identifier.ReadObjectIdentifier();
        if (identifier.HasData)
        {
            identifier.ReadNull();
        }
        identifier.ThrowIfNotEmpty();
        return oid;
    }
}
