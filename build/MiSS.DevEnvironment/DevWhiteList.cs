using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;

namespace MiSS.DevEnvironment;

/// <summary>
/// Development MSSanté white lists in ANS's format (<c>listeblanchemssante.xml</c>), signed as ANS signs the national one:
/// an enveloped XML-DSig signature, RSA-SHA256, exclusive canonicalisation, one reference to the whole document.
/// </summary>
public static class DevWhiteList
{
    /// <summary>A list of <paramref name="domains"/> generated at <paramref name="generatedAt"/>, unsigned.</summary>
    public static string Build(DateTimeOffset generatedAt, params IEnumerable<string> domains)
    {
        var entries = string.Concat(domains.Select(d =>
            $"\n        <Domaine>\n            <Nom>{d}</Nom>\n            <Description>Domaine de développement</Description>\n        </Domaine>"));
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListeBlancheMSSante xmlns=\"https://listeblanche.mssante.fr/schema\">\n" +
            $"    <DateDeGeneration>{generatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}</DateDeGeneration>\n    <ListeDomaines>{entries}\n    </ListeDomaines>\n" +
            "</ListeBlancheMSSante>\n";
    }

    /// <summary><paramref name="xml"/> with an enveloped signature by <paramref name="signer"/> (which holds its RSA key) appended to its root.</summary>
    public static string Sign(string xml, X509Certificate2 signer)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.LoadXml(xml);
        using var key = signer.GetRSAPrivateKey() ?? throw new ArgumentException("the signer has no RSA private key", nameof(signer));
        var signed = new SignedXml(document) { SigningKey = key };
        signed.SignedInfo!.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;
        signed.SignedInfo.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        var reference = new Reference("") { DigestMethod = SignedXml.XmlDsigSHA256Url };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(reference);
        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(signer));
        signed.KeyInfo = keyInfo;
        signed.ComputeSignature();
        document.DocumentElement!.AppendChild(document.ImportNode(signed.GetXml(), deep: true));
        return document.OuterXml;
    }
}
