using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Secure;

/// <summary>
/// An X.509 certificate revocation list (RFC 5280, section 5) read from DER or PEM: its issuer, validity, the revoked
/// serial numbers, and a check of its signature by the issuing CA. .NET builds chains against CRLs it downloads itself;
/// MiSS checks the lists it is given (the IGC-Santé CRLs, fetched and cached apart), so that revocation does not
/// depend on the network at the moment a message is opened.
/// </summary>
public sealed class RevocationList
{
    static readonly Dictionary<string, HashAlgorithmName> RsaAlgorithms = new()
    {
        ["1.2.840.113549.1.1.11"] = HashAlgorithmName.SHA256,
        ["1.2.840.113549.1.1.12"] = HashAlgorithmName.SHA384,
        ["1.2.840.113549.1.1.13"] = HashAlgorithmName.SHA512,
    };

    static readonly Dictionary<string, HashAlgorithmName> EcdsaAlgorithms = new()
    {
        ["1.2.840.10045.4.3.2"] = HashAlgorithmName.SHA256,
        ["1.2.840.10045.4.3.3"] = HashAlgorithmName.SHA384,
        ["1.2.840.10045.4.3.4"] = HashAlgorithmName.SHA512,
    };

    readonly byte[] _signedPart;
    readonly string _signatureAlgorithm;
    readonly byte[] _signature;
    readonly HashSet<BigInteger> _revoked;

    RevocationList(X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<BigInteger> revoked,
        byte[] signedPart, string signatureAlgorithm, byte[] signature)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
        _signedPart = signedPart;
        _signatureAlgorithm = signatureAlgorithm;
        _signature = signature;
    }

    /// <summary>The CA that issued the list.</summary>
    public X500DistinguishedName Issuer { get; }

    /// <summary>When the list was issued.</summary>
    public DateTimeOffset ThisUpdate { get; }

    /// <summary>When the next list is due: after it, this one is stale.</summary>
    public DateTimeOffset? NextUpdate { get; }

    /// <summary>How many certificates it revokes.</summary>
    public int Count => _revoked.Count;

    /// <summary>Reads a CRL (DER, or PEM "X509 CRL"); throws <see cref="CryptographicException"/> when it is not one.</summary>
    public static RevocationList Load(byte[] data)
    {
        var text = System.Text.Encoding.ASCII.GetString(data);
        if (text.Contains("-----BEGIN X509 CRL-----", StringComparison.Ordinal))
        {
            var fields = PemEncoding.Find(text);
            data = Convert.FromBase64String(text[fields.Base64Data]);
        }
        try
        {
            return Read(data);
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException("not a certificate revocation list: " + e.Message, e);
        }
    }

    static RevocationList Read(byte[] der)
    {
        var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var signedPart = list.PeekEncodedValue().ToArray();
        var tbs = list.ReadSequence();
        var algorithm = list.ReadSequence().ReadObjectIdentifier();
        var signature = list.ReadBitString(out _);

        if (tbs.PeekTag() == Asn1Tag.Integer)
        {
            tbs.ReadInteger(); // version v2
        }
        tbs.ReadSequence(); // the signature algorithm again
        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
        var revoked = new HashSet<BigInteger>();
        if (tbs.HasData && tbs.PeekTag() == Asn1Tag.Sequence)
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                revoked.Add(entries.ReadSequence().ReadInteger());
            }
        }
        return new RevocationList(issuer, thisUpdate, nextUpdate, revoked, signedPart, algorithm, signature);
    }

    static bool IsTime(Asn1Tag tag) => tag == Asn1Tag.UtcTime || tag == Asn1Tag.GeneralizedTime;

    static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag() == Asn1Tag.UtcTime ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    /// <summary>True when <paramref name="certificate"/>'s serial number is on the list.</summary>
    public bool IsRevoked(X509Certificate2 certificate) =>
        _revoked.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));

    /// <summary>True when <paramref name="issuer"/> (the CA named by <see cref="Issuer"/>) signed this list.</summary>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData))
        {
            return false;
        }
        if (RsaAlgorithms.TryGetValue(_signatureAlgorithm, out var rsaHash) && issuer.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                return rsa.VerifyData(_signedPart, _signature, rsaHash, RSASignaturePadding.Pkcs1);
            }
        }
        if (EcdsaAlgorithms.TryGetValue(_signatureAlgorithm, out var ecHash) && issuer.GetECDsaPublicKey() is { } ecdsa)
        {
            using (ecdsa)
            {
                return ecdsa.VerifyData(_signedPart, _signature, ecHash, DSASignatureFormat.Rfc3279DerSequence);
            }
        }
        return false;
    }
}
