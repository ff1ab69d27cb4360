using System.Text;
using Microsoft.Data.Sqlite;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Storage;

namespace MiSS.Core.Tests.PractitionerDirectory;

/// <summary>What the API searches: the national directory merged with the certificate folder, never one's own mailbox.</summary>
public class DirectorySearchTests
{
    string _directory = "";
    DirectoryStore _store = null!;
    DirectorySearch _search = null!;

    [SetUp]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-directory-search-").FullName;
        _store = DirectoryStore.Open(Path.Combine(_directory, DirectoryDatabase.FileName));
        var certificates = Path.GetDirectoryName(TestPki.Pki.CertificatePath(TestPki.Julien))!;
        _search = new DirectorySearch(_store, new CertificateDirectory(certificates, TestPki.Claire.Address), TestPki.Claire.Address);
    }

    [TearDown]
    public void Clean()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Without_an_import_the_certificate_folder_answers()
    {
        var found = await _search.SearchAsync("julien bern");
        Assert.That(found.Select(e => e.Address), Is.EqualTo(new[] { TestPki.Julien.Address }));
        Assert.That(await _search.SearchAsync("claire"), Is.Empty, "one's own mailbox is not a correspondent");
    }

    [Test]
    public async Task The_national_directory_comes_first_and_the_certificate_folder_adds_what_it_lacks()
    {
        var columns = MssanteExtractionImporter.Columns;
        string Row(string address, string family, string given)
        {
            var f = new string[columns.Count];
            Array.Fill(f, "");
            (f[0], f[1], f[9], f[10], f[14]) = ("PER", address, family, given, "Infirmier");
            return string.Join('|', f);
        }
        var file = string.Join('\n', string.Join('|', columns), Row("julien.bernardin@infirmier.mssante.fr", "BERNARDIN", "Julien"),
            Row(TestPki.Claire.Address, "MARTIN", "Claire"));
        await new MssanteExtractionImporter(_store).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(file)));

        var found = await _search.SearchAsync("julien bern");
        Assert.That(found.Select(e => e.Address), Is.EqualTo(new[] { "julien.bernardin@infirmier.mssante.fr", TestPki.Julien.Address }));
        Assert.That(found[0].Profession, Is.EqualTo("Infirmier"));
        Assert.That(await _search.SearchAsync("claire"), Is.Empty, "one's own mailbox is not a correspondent, even from the directory");
    }
}
