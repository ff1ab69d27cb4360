using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using MiSS.Core.Trust;
using MiSS.DevEnvironment;

namespace MiSS.Core.Tests.Trust;

/// <summary>
/// The white list's XML-DSig signature against the configured signers: a good list, a list changed after signing,
/// another signer, signature wrapping, and the real samples (the trimmed signed excerpt, ANS's unclosed copy).
/// </summary>
public class WhiteListSignatureTests
{
    static readonly DateTimeOffset Generated = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    static readonly string[] Domains = ["medecin.mssante.fr", "ch-exemple.mssante.fr"];

    X509Certificate2 _signer = null!;
    X509Certificate2Collection _signers = null!;

    static string DataPath(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Trust", "Data", name);

    [OneTimeSetUp]
    public void IssueSigner()
    {
        _signer = TestPki.Pki.IssueWhiteListSigner(DateTimeOffset.UtcNow);
        _signers = [X509CertificateLoader.LoadCertificate(_signer.RawData)]; // the public part only, as a PEM file gives it
    }

    [OneTimeTearDown]
    public void DisposeSigner()
    {
        _signer.Dispose();
        _signers[0].Dispose();
    }

    WhiteList Parse(string xml, X509Certificate2Collection? signers = null) =>
        WhiteList.Parse(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "test", signers ?? _signers);

    string SignedList(params string[] domains) => DevWhiteList.Sign(DevWhiteList.Build(Generated, domains), _signer);

    [Test]
    public void A_list_signed_by_the_configured_signer_is_taken_with_its_domains()
    {
        var list = Parse(SignedList(Domains));

        Assert.That(list.Domains, Is.EquivalentTo(Domains));
        Assert.That(list.GeneratedAt, Is.EqualTo(Generated));
    }

    [Test]
    public void The_signers_come_from_a_pem_file_and_the_same_list_loads_from_a_file()
    {
        var directory = Directory.CreateTempSubdirectory("miss-signers-");
        try
        {
            var pem = Path.Combine(directory.FullName, "signataires.pem");
            File.WriteAllText(pem, _signer.ExportCertificatePem());
            var path = Path.Combine(directory.FullName, "liste.xml");
            File.WriteAllText(path, SignedList(Domains));

            var list = WhiteList.Load(path, WhiteListSignature.LoadSigners(pem));

            Assert.That(list.Domains, Is.EquivalentTo(Domains));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void A_domain_added_after_signing_is_refused_for_its_signature()
    {
        var tampered = SignedList(Domains).Replace("<ListeDomaines>",
            "<ListeDomaines><Domaine><Nom>intrus.example.com</Nom></Domaine>", StringComparison.Ordinal);

        var e = Assert.Throws<WhiteListException>(() => Parse(tampered));
        Assert.That(e!.Message, Does.Contain("signature XML-DSig invalide"));
    }

    [Test]
    public void A_list_signed_by_another_key_is_refused_even_with_that_key_in_its_key_info()
    {
        using var otherKey = RSA.Create(2048);
        using var other = new CertificateRequest("CN=LISTE BLANCHE MSSANTE DEV, O=Autre", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var signedByOther = DevWhiteList.Sign(DevWhiteList.Build(Generated, Domains), other);

        Assert.That(() => Parse(signedByOther, [other]), Throws.Nothing, "the signature itself is valid for its own key");
        var e = Assert.Throws<WhiteListException>(() => Parse(signedByOther));
        Assert.That(e!.Message, Does.Contain("signature XML-DSig invalide"));
    }

    [Test]
    public void An_unsigned_list_is_refused_when_signers_are_configured_and_taken_when_none_are()
    {
        var unsigned = DevWhiteList.Build(Generated, Domains);

        Assert.That(Assert.Throws<WhiteListException>(() => Parse(unsigned))!.Message, Does.Contain("signature XML-DSig absente"));
        Assert.That(WhiteList.Parse(new MemoryStream(Encoding.UTF8.GetBytes(unsigned)), "test").Domains, Is.EquivalentTo(Domains));
    }

    [Test]
    public void A_wrapped_signature_with_the_signed_original_kept_inside_an_object_is_refused()
    {
        // The attacker keeps the genuine signature (and the signed original inside its Object element) and adds a domain
        // to the document around it: a verifier that resolved the reference to the wrapped copy would accept this.
        var document = Load(SignedList(Domains));
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("l", WhiteList.Namespace);
        ns.AddNamespace("ds", "http://www.w3.org/2000/09/xmldsig#");
        var signature = (XmlElement)document.SelectSingleNode("/l:ListeBlancheMSSante/ds:Signature", ns)!;
        var original = (XmlElement)document.DocumentElement!.CloneNode(deep: true);
        original.RemoveChild(original.SelectSingleNode("ds:Signature", ns)!);
        var wrapper = document.CreateElement("Object", "http://www.w3.org/2000/09/xmldsig#");
        wrapper.AppendChild(original);
        signature.AppendChild(wrapper);
        AddDomain(document, ns, "intrus.example.com");

        var e = Assert.Throws<WhiteListException>(() => Parse(document.OuterXml));
        Assert.That(e!.Message, Does.Contain("signature"));
    }

    [Test]
    public void A_signed_list_nested_under_a_new_root_with_an_extra_domain_is_refused()
    {
        var signed = Load(SignedList(Domains));
        var outer = Load(DevWhiteList.Build(Generated, ["intrus.example.com"]));
        outer.DocumentElement!.AppendChild(outer.ImportNode(signed.DocumentElement!, deep: true));

        var e = Assert.Throws<WhiteListException>(() => Parse(outer.OuterXml));
        Assert.That(e!.Message, Does.Contain("la signature n'est pas enveloppée dans l'élément racine"));
    }

    [Test]
    public void A_second_signature_next_to_the_good_one_is_refused()
    {
        var document = Load(SignedList(Domains));
        var copy = Load(SignedList(Domains));
        var ns = new XmlNamespaceManager(copy.NameTable);
        ns.AddNamespace("ds", "http://www.w3.org/2000/09/xmldsig#");
        document.DocumentElement!.AppendChild(document.ImportNode(copy.SelectSingleNode("//ds:Signature", ns)!, deep: true));

        Assert.That(Assert.Throws<WhiteListException>(() => Parse(document.OuterXml))!.Message, Does.Contain("2 signatures XML-DSig"));
    }

    [Test]
    public void A_document_type_declaration_is_refused_even_in_a_signed_list()
    {
        var withDtd = SignedList(Domains).Replace("<ListeBlancheMSSante", "<!DOCTYPE ListeBlancheMSSante [<!ENTITY e \"x\">]><ListeBlancheMSSante",
            StringComparison.Ordinal);

        Assert.That(Assert.Throws<WhiteListException>(() => Parse(withDtd))!.Message, Does.Contain("mal formée"));
    }

    [TestCase("listeblanchemssante.sample-13-domaines.xml", "signature XML-DSig invalide")] // ANS's signed excerpt, trimmed since
    [TestCase("listeblanchemssante.ansforge-2025-03-13.xml", "mal formée")]               // ANS's own copy, without its closing tag
    public void A_real_sample_that_cannot_be_used_is_refused_with_its_reason_and_the_previous_list_stays(string file, string reason)
    {
        var space = new TrustSpace(Parse(SignedList(Domains)), [], _signers);

        var e = Assert.Throws<WhiteListException>(() => space.Reload(DataPath(file)));

        Assert.That(e!.Message, Does.Contain(reason));
        Assert.That(space.List.Domains, Is.EquivalentTo(Domains));
        Assert.That(space.Allows("dr.x@15-20.mssante.fr"), Is.False, "none of the sample's domains came in");
    }

    [Test]
    public void An_older_list_than_the_one_in_place_is_refused_and_a_newer_one_taken()
    {
        var space = new TrustSpace(WhiteList.Development(), [], _signers);
        space.Replace(Parse(SignedList(Domains)));
        var older = Parse(DevWhiteList.Sign(DevWhiteList.Build(Generated.AddDays(-1), ["ancien.mssante.fr"]), _signer));
        var newer = Parse(DevWhiteList.Sign(DevWhiteList.Build(Generated.AddDays(1), ["nouveau.mssante.fr"]), _signer));

        Assert.That(Assert.Throws<WhiteListException>(() => space.Replace(older))!.Message, Does.Contain("plus ancienne"));
        Assert.That(space.Allows("a@ancien.mssante.fr"), Is.False);
        space.Replace(newer);
        Assert.That(space.Allows("a@nouveau.mssante.fr"), Is.True);
    }

    static XmlDocument Load(string xml)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.LoadXml(xml);
        return document;
    }

    static void AddDomain(XmlDocument document, XmlNamespaceManager ns, string name)
    {
        var domaine = document.CreateElement("Domaine", WhiteList.Namespace);
        var nom = document.CreateElement("Nom", WhiteList.Namespace);
        nom.InnerText = name;
        domaine.AppendChild(nom);
        document.SelectSingleNode("/l:ListeBlancheMSSante/l:ListeDomaines", ns)!.AppendChild(domaine);
    }
}
