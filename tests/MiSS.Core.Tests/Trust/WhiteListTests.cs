using System.Text;
using MiSS.Core.Trust;

namespace MiSS.Core.Tests.Trust;

/// <summary>The MSSanté white list in its real format, and the files a real feed can deliver instead.</summary>
public class WhiteListTests
{
    static string SamplePath => Path.Combine(TestContext.CurrentContext.TestDirectory, "Trust", "Data", "listeblanchemssante.sample-13-domaines.xml");

    static WhiteList Parse(string xml) => WhiteList.Parse(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "test");

    [Test]
    public void The_real_signed_excerpt_gives_its_domains_once_each_with_its_date()
    {
        var list = WhiteList.Load(SamplePath);

        // 13 Domaine entries, 15-20.mssante.fr five times and 3c-ccconcorde.mssante.fr twice: 8 distinct names.
        Assert.That(list.Domains, Has.Count.EqualTo(8));
        Assert.That(list.Domains, Does.Contain("15-20.mssante.fr").And.Contain("1001-services.mssante.fr").And.Contain("3c-ccconcorde.mssante.fr"));
        Assert.That(list.GeneratedAt, Is.EqualTo(new DateTimeOffset(2025, 2, 28, 15, 42, 7, TimeSpan.Zero)));
        Assert.That(list.Source, Is.EqualTo(SamplePath));
    }

    [Test]
    public void A_list_without_its_closing_tag_is_refused_whole_with_a_clear_reason()
    {
        // ANS's own published copy of 2025-03-13 lacks </ListeBlancheMSSante>: the same flaw, made from the real excerpt.
        var xml = File.ReadAllText(SamplePath);
        var truncated = xml[..xml.LastIndexOf("</ListeBlancheMSSante>", StringComparison.Ordinal)];

        var e = Assert.Throws<WhiteListException>(() => Parse(truncated));
        Assert.That(e!.Message, Does.StartWith("liste blanche MSSanté mal formée (test), ligne"));
    }

    [TestCase("<?xml version=\"1.0\"?><ListeBlanche><ListeDomaines><Domaine><Nom>a.mssante.fr</Nom></Domaine></ListeDomaines></ListeBlanche>", "l'élément racine")]
    [TestCase("<ListeBlancheMSSante><ListeDomaines><Domaine><Nom>a.mssante.fr</Nom></Domaine></ListeDomaines></ListeBlancheMSSante>", "l'élément racine")]
    [TestCase("<ListeBlancheMSSante xmlns=\"https://listeblanche.mssante.fr/schema\"><ListeDomaines/></ListeBlancheMSSante>", "vide")]
    [TestCase("<ListeBlancheMSSante xmlns=\"https://listeblanche.mssante.fr/schema\"><ListeDomaines><Domaine><Nom>pas un domaine</Nom></Domaine></ListeDomaines></ListeBlancheMSSante>", "nom de domaine incorrect")]
    [TestCase("<!DOCTYPE x [<!ENTITY e \"a.mssante.fr\">]><ListeBlancheMSSante xmlns=\"https://listeblanche.mssante.fr/schema\"><ListeDomaines><Domaine><Nom>&e;</Nom></Domaine></ListeDomaines></ListeBlancheMSSante>", "mal formée")]
    [TestCase("ceci n'est pas du XML", "mal formée")]
    public void A_file_that_is_not_a_usable_list_is_refused_with_its_reason(string xml, string reason)
    {
        var e = Assert.Throws<WhiteListException>(() => Parse(xml));
        Assert.That(e!.Message, Does.Contain(reason));
    }

    [Test]
    public void A_missing_file_is_refused_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"absente-{Guid.NewGuid():N}.xml");
        var e = Assert.Throws<WhiteListException>(() => WhiteList.Load(path));
        Assert.That(e!.Message, Does.Contain("illisible").And.Contain(path));
    }

    [Test]
    public void Names_are_compared_without_case_and_nom_elsewhere_than_in_a_domaine_is_ignored()
    {
        var list = Parse("""
            <ListeBlancheMSSante xmlns="https://listeblanche.mssante.fr/schema">
              <Nom>ailleurs.example</Nom>
              <ListeDomaines><Domaine><Nom> Medecin.MSSante.fr </Nom><Description>x</Description></Domaine></ListeDomaines>
            </ListeBlancheMSSante>
            """);
        Assert.That(list.Domains, Is.EquivalentTo(new[] { "medecin.mssante.fr" }));
    }

    [Test]
    public void The_built_in_development_list_holds_only_the_local_test_domains()
    {
        Assert.That(WhiteList.Development().Domains, Is.EquivalentTo(new[] { "dev.mssante.test", "bounce.mssante.test" }));
    }

    [Test]
    public void The_trust_space_allows_listed_and_apicrypt_domains_only_and_a_bad_reload_keeps_the_last_good_list()
    {
        var space = new TrustSpace(WhiteList.Load(SamplePath), ["Apicrypt.org"]);

        Assert.That(space.Allows("dr.x@15-20.MSSANTE.fr"), Is.True);
        Assert.That(space.Allows("dr.y@apicrypt.org"), Is.True);
        Assert.That(space.Allows("someone@gmail.com"), Is.False);
        Assert.That(space.Allows("dr.x@sub.15-20.mssante.fr"), Is.False, "a subdomain is another domain");
        Assert.That(space.Allows("dr.x@15-20.mssante.fr.evil.example"), Is.False);
        var e = Assert.Throws<OutsideTrustSpaceException>(() => space.Require("someone@gmail.com"));
        Assert.That(e!.Message, Does.Contain("someone@gmail.com n'appartient pas à l'espace de confiance MSSanté"));

        var broken = Path.Combine(Path.GetTempPath(), $"liste-{Guid.NewGuid():N}.xml");
        File.WriteAllText(broken, "<ListeBlancheMSSante xmlns=\"https://listeblanche.mssante.fr/schema\"><ListeDomaines>");
        try
        {
            Assert.Throws<WhiteListException>(() => space.Reload(broken));
            Assert.That(space.Allows("dr.x@15-20.mssante.fr"), Is.True, "the last good list stays");
        }
        finally
        {
            File.Delete(broken);
        }
    }
}
