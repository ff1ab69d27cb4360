using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Data.Sqlite;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using MiSS.DevEnvironment;
using static MiSS.Core.Tests.PractitionerDirectory.AnnuaireBundles;

namespace MiSS.Core.Tests.PractitionerDirectory;

/// <summary>
/// Certificates carried by the Annuaire Santé (extension as-ext-digital-certificate), certificates imported by hand, and
/// the order in which a recipient's certificates are tried.
/// </summary>
public class DirectoryCertificateTests
{
    string _directory = "";
    DirectoryStore _directoryStore = null!;
    MessageStore _messages = null!;

    [SetUp]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-dircert-").FullName;
        var database = StoreDatabase.Open(Path.Combine(_directory, "miss.db"));
        _directoryStore = DirectoryStore.Open(Path.Combine(_directory, DirectoryDatabase.FileName));
        _messages = new MessageStore(database, BlobStore.Open(_directory), TimeProvider.System);
    }

    [TearDown]
    public void Clean()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    static DevPractitioner Claire => TestPki.Claire;
    static DevPractitioner Julien => TestPki.Julien;
    static DevPractitioner Sophie => TestPki.Sophie;

    Task<DirectoryImportResult> ImportAsync(string json) =>
        new AnnuaireFhirImporter(_directoryStore, _messages).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Test]
    public async Task A_certificate_on_the_role_is_kept_for_the_practitioners_mailbox_it_names()
    {
        var julien = TestPki.Pki.LoadPractitioner(Julien);
        var result = await ImportAsync(Bundle(
            Practitioner(Julien, "p1", Mailbox(Julien.Address)),
            Role("r1", "p1", extension: Certificate(Base64Der(julien), julien))));

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Imported, Is.EqualTo(1));
        Assert.That(result.Certificates, Is.EqualTo(1));
        var known = await _messages.ListCertificatesAsync(Julien.Address);
        Assert.That(known.Select(k => (k.Certificate.Thumbprint, k.Source)), Is.EqualTo(new[] { (julien.Thumbprint, "annuaire") }));
        Assert.That(await _messages.ListCertificatesAsync(Claire.Address), Is.Empty);
    }

    [Test]
    public async Task Base64_of_pem_and_hexadecimal_values_are_read_too()
    {
        var claire = TestPki.Pki.LoadPractitioner(Claire);
        var sophie = TestPki.Pki.LoadPractitioner(Sophie);
        var pem = Convert.ToBase64String(Encoding.ASCII.GetBytes(claire.ExportCertificatePem()));
        var result = await ImportAsync(Bundle(
            Practitioner(Claire, "p1", Mailbox(Claire.Address), Certificate(pem)),
            Practitioner(Sophie, "p2", Mailbox(Sophie.Address), Certificate(Convert.ToHexString(sophie.RawData)))));

        Assert.That(result.Rejected, Is.Empty);
        Assert.That(result.Certificates, Is.EqualTo(2));
        Assert.That((await _messages.FindCertificatesAsync(Claire.Address)).Single().Thumbprint, Is.EqualTo(claire.Thumbprint));
        Assert.That((await _messages.FindCertificatesAsync(Sophie.Address)).Single().Thumbprint, Is.EqualTo(sophie.Thumbprint));
    }

    [Test]
    public async Task A_garbage_value_or_a_certificate_for_another_address_is_a_rejected_entry_with_its_reason()
    {
        var sophie = TestPki.Pki.LoadPractitioner(Sophie);
        var result = await ImportAsync(Bundle(
            Practitioner(Claire, "p1", Mailbox(Claire.Address), Certificate("bm90IGEgY2VydGlmaWNhdGU=")),
            Practitioner(Julien, "p2", Mailbox(Julien.Address), Certificate(Base64Der(sophie)))));

        Assert.That(result.Imported, Is.EqualTo(2), "the mailboxes are imported all the same");
        Assert.That(result.Certificates, Is.Zero);
        Assert.That(result.Rejected.Select(r => r.Line), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(result.Rejected[0].Reason, Does.Contain("Practitioner/p1").And.Contain("certificat illisible"));
        Assert.That(result.Rejected[1].Reason, Does.Contain("Practitioner/p2").And.Contain("ne nomme aucune adresse MSSanté")
            .And.Contain(Julien.Address));
        Assert.That(await _messages.ListCertificatesAsync(), Is.Empty);
    }

    [Test]
    public async Task Without_a_message_store_the_importer_takes_the_mailboxes_only()
    {
        var julien = TestPki.Pki.LoadPractitioner(Julien);
        var result = await new AnnuaireFhirImporter(_directoryStore).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(
            Bundle(Practitioner(Julien, "p1", Mailbox(Julien.Address), Certificate(Base64Der(julien)))))));
        Assert.That((result.Imported, result.Certificates, result.Rejected.Count), Is.EqualTo((1L, 0L, 0)));
    }

    [Test]
    public async Task A_recipient_certificate_is_taken_from_a_signature_first_then_the_directory_then_a_manual_import()
    {
        var now = DateTimeOffset.UtcNow;
        var fromImport = TestPki.Pki.IssuePractitionerCertificate(Julien, now.AddDays(-1), now.AddMonths(6));
        var fromDirectory = TestPki.Pki.IssuePractitionerCertificate(Julien, now.AddDays(-1), now.AddMonths(6));
        var fromSignature = TestPki.Pki.IssuePractitionerCertificate(Julien, now.AddDays(-1), now.AddMonths(6));
        var recipients = new RecipientCertificates(_messages, TestPki.Trust(), certificatesDirectory: null);
        Assert.That(await recipients.FindAsync(Julien.Address), Is.Null);

        await _messages.SaveCertificateAsync(Julien.Address, fromDirectory, AnnuaireFhirImporter.CertificateSource);
        await Task.Delay(5); // learned later, yet behind the directory's
        await new CertificateImporter(_messages, TestPki.Trust()).ImportAsync(Encoding.ASCII.GetBytes(fromImport.ExportCertificatePem()));
        Assert.That((await recipients.FindAsync(Julien.Address))!.Thumbprint, Is.EqualTo(fromDirectory.Thumbprint));

        await _messages.SaveCertificateAsync(Julien.Address, fromSignature, "signature");
        Assert.That((await recipients.FindAsync(Julien.Address))!.Thumbprint, Is.EqualTo(fromSignature.Thumbprint));
        Assert.That((await _messages.ListCertificatesAsync(Julien.Address)).Select(k => k.Source),
            Is.EqualTo(new[] { "signature", "annuaire", "import" }));
    }

    [Test]
    public async Task A_directory_certificate_that_does_not_chain_to_the_anchors_is_never_used_to_encrypt()
    {
        var rogue = TestPki.RogueCertificate(Julien);
        var result = await ImportAsync(Bundle(Practitioner(Julien, "p1", Mailbox(Julien.Address), Certificate(Base64Der(rogue)))));
        Assert.That(result.Certificates, Is.EqualTo(1), "kept as the directory gives it");
        Assert.That(await new RecipientCertificates(_messages, TestPki.Trust(), null).FindAsync(Julien.Address), Is.Null);
    }

    [Test]
    public async Task A_manual_import_takes_pem_or_der_and_refuses_what_does_not_chain_to_the_anchors_with_a_french_reason()
    {
        var importer = new CertificateImporter(_messages, TestPki.Trust());
        var sophie = TestPki.Pki.LoadPractitioner(Sophie);
        var (_, addresses) = await importer.ImportAsync(sophie.RawData);
        Assert.That(addresses, Is.EqualTo(new[] { Sophie.Address }));
        Assert.That((await _messages.ListCertificatesAsync(Sophie.Address)).Single().Source, Is.EqualTo(CertificateImporter.Source));

        var rogue = await Assert.ThrowsAsync<InvalidDataException>(() => importer.ImportAsync(Encoding.ASCII.GetBytes(TestPki.RogueCertificate(Julien).ExportCertificatePem())));
        Assert.That(rogue!.Message, Is.EqualTo("le certificat n'est pas émis par une autorité de confiance"));
        var garbage = await Assert.ThrowsAsync<InvalidDataException>(() => importer.ImportAsync(Encoding.ASCII.GetBytes("pas un certificat")));
        Assert.That(garbage!.Message, Does.Contain("ni PEM ni DER"));
        Assert.That(await _messages.ListCertificatesAsync(Julien.Address), Is.Empty);
    }

    [Test]
    public async Task A_correspondent_is_named_by_the_directory_else_by_a_trusted_certificate_else_not_at_all()
    {
        var names = new CorrespondentNames(_directoryStore, _messages, TestPki.Trust());
        // Julien is in the directory; Claire's certificate was learned from her signature; Sophie's only from a rogue CA.
        await ImportAsync(Bundle(Practitioner(Julien, "p1", Mailbox(Julien.Address))));
        await _messages.SaveCertificateAsync(Claire.Address, TestPki.Pki.LoadPractitioner(Claire), "signature");
        await _messages.SaveCertificateAsync(Sophie.Address, TestPki.RogueCertificate(Sophie), "annuaire");

        Assert.That(await names.NameOfAsync(Julien.Address), Does.Contain("BERNARD"));
        Assert.That(await names.NameOfAsync(Claire.Address), Is.EqualTo(Claire.DisplayName));
        Assert.That(await names.NameOfAsync(Sophie.Address), Is.Null, "a certificate nobody trusts names nobody");
        Assert.That(await names.NamesOfAsync([Julien.Address, Sophie.Address, "inconnu@x.test"]), Has.Count.EqualTo(1));
    }
}
