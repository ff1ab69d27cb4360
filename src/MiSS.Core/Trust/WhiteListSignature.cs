using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;

namespace MiSS.Core.Trust;

/// <summary>
/// The check of the white list's enveloped XML-DSig signature (ANS signs <c>listeblanchemssante.xml</c>), written
/// against signature wrapping: exactly one signature, a child of the root element; one reference with URI "" (the
/// whole document) whose transforms are the enveloped-signature transform and canonicalisation only; RSA with
/// SHA-256 or stronger; and the key is taken from the configured signers' certificates, never from the document's
/// own KeyInfo. The domains are then read from this same verified document (<see cref="WhiteList"/>).
/// </summary>
public static class WhiteListSignature
{
    static readonly HashSet<string> SignatureMethods =
        [SignedXml.XmlDsigRSASHA256Url, SignedXml.XmlDsigRSASHA384Url, SignedXml.XmlDsigRSASHA512Url];

    static readonly HashSet<string> DigestMethods = [SignedXml.XmlDsigSHA256Url, SignedXml.XmlDsigSHA384Url, SignedXml.XmlDsigSHA512Url];

    static readonly HashSet<string> Transforms =
        [SignedXml.XmlDsigEnvelopedSignatureTransformUrl, SignedXml.XmlDsigExcC14NTransformUrl, SignedXml.XmlDsigC14NTransformUrl];

    /// <summary>
    /// Throws <see cref="WhiteListException"/> (its French reason names the signature) unless <paramref name="document"/>
    /// carries a valid enveloped signature over its whole content by one of <paramref name="signers"/>.
    /// </summary>
    public static void Verify(XmlDocument document, X509Certificate2Collection signers, string source)
    {
        var root = document.DocumentElement ?? throw Refused(source, "document vide");
        var signatures = document.GetElementsByTagName("Signature", SignedXml.XmlDsigNamespaceUrl);
        if (signatures.Count != 1)
        {
            throw Refused(source, signatures.Count == 0 ? "signature XML-DSig absente" : $"{signatures.Count} signatures XML-DSig, une seule attendue");
        }
        var element = (XmlElement)signatures[0]!;
        if (element.ParentNode != root)
        {
            throw Refused(source, "la signature n'est pas enveloppée dans l'élément racine");
        }
        var signed = new SignedXml(document);
        try
        {
            signed.LoadXml(element);
        }
        catch (CryptographicException e)
        {
            throw Refused(source, "signature XML-DSig illisible", e);
        }
        if (!SignatureMethods.Contains(signed.SignedInfo!.SignatureMethod ?? ""))
        {
            throw Refused(source, $"algorithme de signature non accepté ({signed.SignedInfo.SignatureMethod})");
        }
        if (signed.SignedInfo.References.Count != 1 || signed.SignedInfo.References[0] is not Reference { Uri: "" } reference)
        {
            throw Refused(source, "la signature ne porte pas sur le document entier (une seule référence URI=\"\" attendue)");
        }
        if (!DigestMethods.Contains(reference.DigestMethod ?? ""))
        {
            throw Refused(source, $"algorithme d'empreinte de la signature non accepté ({reference.DigestMethod})");
        }
        var enveloped = false;
        for (var i = 0; i < reference.TransformChain.Count; i++)
        {
            var algorithm = reference.TransformChain[i].Algorithm ?? "";
            if (!Transforms.Contains(algorithm))
            {
                throw Refused(source, $"transformation de signature non acceptée ({algorithm})");
            }
            enveloped |= algorithm == SignedXml.XmlDsigEnvelopedSignatureTransformUrl;
        }
        if (!enveloped)
        {
            throw Refused(source, "la signature n'est pas une signature enveloppée");
        }
        foreach (var signer in signers)
        {
            using var key = signer.GetRSAPublicKey();
            bool valid;
            try
            {
                valid = key is not null && signed.CheckSignature(key);
            }
            catch (CryptographicException e)
            {
                throw Refused(source, "signature XML-DSig illisible", e);
            }
            if (valid)
            {
                return;
            }
        }
        throw Refused(source, "signature XML-DSig invalide (document modifié après signature, ou signataire non configuré)");
    }

    /// <summary>The signers allowed by a PEM file of certificates; throws <see cref="WhiteListException"/> when it has none.</summary>
    public static X509Certificate2Collection LoadSigners(string pemPath)
    {
        var signers = new X509Certificate2Collection();
        try
        {
            signers.ImportFromPemFile(pemPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new WhiteListException($"signataires de la liste blanche illisibles ({pemPath}) : {e.Message}", e);
        }
        return signers.Count > 0 ? signers : throw new WhiteListException($"aucun certificat de signataire de la liste blanche dans {pemPath}");
    }

    static WhiteListException Refused(string source, string reason, Exception? inner = null) =>
        new($"liste blanche MSSanté refusée ({source}) : {reason}", inner);
}
