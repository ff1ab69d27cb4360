using System.Text;
using Microsoft.Data.Sqlite;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Storage;
using static MiSS.Core.Tests.PractitionerDirectory.ExtractionRows;

namespace MiSS.Core.Tests.PractitionerDirectory;

/// <summary>The national directory on real SQLite files: the extraction and FHIR importers, and the search.</summary>
public class DirectoryStoreTests
{
    string _directory = "";
    DirectoryStore _store = null!;

    [SetUp]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-directory-").FullName;
        _store = DirectoryStore.Open(Path.Combine(_directory, DirectoryDatabase.FileName));
    }

    [TearDown]
    public void Clean()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    Task<DirectoryImportResult> ImportAsync(params string[] rows) =>
        new MssanteExtractionImporter(_store).ImportAsync(new MemoryStream(Extraction(rows)));

    async Task ImportSomeAsync() => await ImportAsync(
        Row("PER", "claire.martin@medecin.mssante.fr", "MARTIN", "Claire", specialty: "Médecine générale"),
        Row("PER", "sophie.martinez@medecin.mssante.fr", "MARTINEZ", "Sophie", rpps: "10101234580", city: "LYON", postcode: "69003"),
        Row("PER", "julien.bernard@infirmier.mssante.fr", "BERNARD", "Julien", profession: "Infirmier", rpps: "10101234572", city: "NANTES", postcode: "44000"),
        Row("PER", "helene.lefevre@pro.mssante.fr", "LEFÈVRE", "Hélène", profession: "Sage-Femme", rpps: "10101234598", city: "SAINT-ÉTIENNE", postcode: "42000"),
        Row("PER", "paul.durand@medecin.mssante.fr", "DURAND", "Paul", rpps: "10101234606"),
        Row("PER", "anne.martin-durand@medecin.mssante.fr", "DURAND", "Anne Martin", rpps: "10101234614"),
        Row("ORG", "cardio@ch-nevers.mssante.fr", "", "", profession: "", rpps: "", organisation: "CENTRE HOSPITALIER DE NEVERS", city: "NEVERS", postcode: "58000"),
        Row("CAB", "cabinet.dupont@pro.mssante.fr", "DUPONT", "Jean-Marie", rpps: "10101234622"));

    [Test]
    public async Task An_extraction_is_imported_with_its_duplicates_and_rejected_lines()
    {
        var result = await ImportAsync(
            Row("PER", "a.martin@medecin.mssante.fr", "MARTIN", "Anne"),
            Row("PER", "", "ROUX", "Paul"),                                           // line 3: no address
            Row("PER", "b.roux@medecin.mssante.fr", "ROUX", "Paul")[..^7],            // line 4: a column short
            Row("XYZ", "c.roux@medecin.mssante.fr", "ROUX", "Paul"),                  // line 5: unknown type
            Row("PER", "A.Martin@medecin.mssante.fr", "MARTIN", "Anne-Sophie"),       // line 6: a duplicate, the last wins
            Row("PER", "d.roux@medecin.mssante.fr", "ROUX", "Paul", rpps: "12AB"),    // line 7: RPPS not 11 digits
            Row("PER", "pas-une-adresse", "ROUX", "Paul"),                            // line 8
            Row("PER", "e.roux@medecin.mssante.fr", "", "Paul"));                     // line 9: personal without a name

        Assert.That(result.Imported, Is.EqualTo(1));
        Assert.That(result.Duplicates, Is.EqualTo(1));
        Assert.That(result.Rejected.Select(r => r.Line), Is.EqualTo(new long[] { 3, 4, 5, 7, 8, 9 }));
        Assert.That(result.Rejected[0].Reason, Is.EqualTo("adresse BAL absente"));
        Assert.That(result.Rejected[1].Reason, Does.Contain("colonnes au lieu de 31"));
        Assert.That(result.Rejected[2].Reason, Does.StartWith("type de BAL inconnu « XYZ »"));
        Assert.That(result.Rejected[3].Reason, Does.StartWith("identifiant RPPS invalide"));
        Assert.That(result.Rejected[4].Reason, Does.StartWith("adresse BAL invalide"));
        Assert.That(result.Rejected[5].Reason, Is.EqualTo("BAL personnelle sans nom d'exercice"));
        var found = await _store.SearchAsync("martin");
        Assert.That(found.Single().DisplayName, Is.EqualTo("Anne-Sophie MARTIN"));
        Assert.That(found.Single().Address, Is.EqualTo("a.martin@medecin.mssante.fr"));
        Assert.That(await _store.CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_file_whose_header_is_not_the_extraction_is_refused_before_anything_is_written()
    {
        var wrong = Header.Replace("Nom d'exercice", "Nom", StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new MssanteExtractionImporter(_store)
            .ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(wrong + "\n" + Row("PER", "x@y.fr", "X", "Y")))));
        Assert.That(error!.Message, Does.Contain("colonne 10 « Nom » au lieu de « Nom d'exercice »"));
        await Assert.ThrowsAsync<InvalidDataException>(() => new MssanteExtractionImporter(_store)
            .ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes("a;b;c\n"))));
        Assert.That(await _store.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task A_windows_file_with_a_byte_order_mark_crlf_and_trailing_separators_is_read()
    {
        var text = "\uFEFF" + Header + "|\r\n" + Row("PER", "a.roux@medecin.mssante.fr", "ROUX", "Amélie") + "|\r\n";
        var result = await new MssanteExtractionImporter(_store).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        Assert.That(result.Rejected, Is.Empty);
        Assert.That((await _store.SearchAsync("amelie")).Single().City, Is.EqualTo("PARIS"));
    }

    [Test]
    public async Task A_cancelled_import_leaves_the_previous_directory_as_it_was()
    {
        await ImportSomeAsync();
        var path = Path.Combine(_directory, "extraction.csv");
        ExtractionSample.Write(path, 30_000);
        using var cancel = new CancellationTokenSource();
        // Cancelled from the progress callback, once 10,000 lines have been written in the transaction.
        await Assert.CatchAsync<OperationCanceledException>(() => new MssanteExtractionImporter(_store).ImportAsync(path, _ => cancel.Cancel(), cancel.Token));
        Assert.That(await _store.CountAsync(), Is.EqualTo(8));
        Assert.That(await _store.SearchAsync("lefevre"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_new_import_replaces_the_previous_one()
    {
        await ImportSomeAsync();
        await ImportAsync(Row("PER", "x.roux@medecin.mssante.fr", "ROUX", "Xavier"));
        Assert.That(await _store.CountAsync(), Is.EqualTo(1));
        Assert.That(await _store.SearchAsync("martin"), Is.Empty);
        Assert.That((await _store.SearchAsync("rou")).Single().Address, Is.EqualTo("x.roux@medecin.mssante.fr"));
    }

    [Test]
    public async Task The_search_ignores_accents_and_case_and_takes_prefixes_and_several_words()
    {
        await ImportSomeAsync();
        Assert.That((await _store.SearchAsync("lefevre")).Single().DisplayName, Is.EqualTo("Hélène LEFÈVRE"));
        Assert.That((await _store.SearchAsync("HÉLÈNE lef")).Single().DisplayName, Is.EqualTo("Hélène LEFÈVRE"));
        Assert.That((await _store.SearchAsync("saint etienne")).Single().City, Is.EqualTo("SAINT-ÉTIENNE"));
        Assert.That((await _store.SearchAsync("jul")).Single().Address, Is.EqualTo("julien.bernard@infirmier.mssante.fr"));
        Assert.That((await _store.SearchAsync("infirm nantes")).Single().Profession, Is.EqualTo("Infirmier"));
        Assert.That((await _store.SearchAsync("44000")).Single().DisplayName, Is.EqualTo("Julien BERNARD"));
        Assert.That((await _store.SearchAsync("10101234572")).Single().Rpps, Is.EqualTo("10101234572"));
        Assert.That((await _store.SearchAsync("generale")).Single().Specialty, Is.EqualTo("Médecine générale"));
        Assert.That((await _store.SearchAsync("nevers")).Single().MailboxType, Is.EqualTo("organisationnelle"));
        Assert.That((await _store.SearchAsync("dupont")).Single().MailboxType, Is.EqualTo("cabinet"));
        Assert.That((await _store.SearchAsync("JULIEN.BERNARD@")).Single().DisplayName, Is.EqualTo("Julien BERNARD"));
        Assert.That(await _store.SearchAsync("martin lyon paris"), Is.Empty);
        Assert.That(await _store.SearchAsync("\"*) OR ("), Is.Empty, "the user's text never reaches the FTS syntax");
        Assert.That(await _store.SearchAsync("m", limit: 2), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task The_family_name_ranks_first_exact_then_prefix_then_other_fields()
    {
        await ImportSomeAsync();
        var martin = await _store.SearchAsync("martin");
        // MARTIN (exact family name), MARTINEZ (prefix), then Anne Martin DURAND (given name).
        Assert.That(martin.Select(e => e.DisplayName), Is.EqualTo(new[] { "Claire MARTIN", "Sophie MARTINEZ", "Anne Martin DURAND" }));
        var durand = await _store.SearchAsync("durand");
        Assert.That(durand.Select(e => e.DisplayName), Is.EqualTo(new[] { "Anne Martin DURAND", "Paul DURAND" }));
    }

    [Test]
    public async Task A_generated_extraction_is_imported_with_the_counts_it_was_made_with()
    {
        var path = Path.Combine(_directory, "extraction.csv");
        var sample = ExtractionSample.Write(path, 5_000);
        var progress = new List<DirectoryImportProgress>();
        var result = await new MssanteExtractionImporter(_store).ImportAsync(path, progress.Add);
        Assert.That(sample.Duplicates, Is.GreaterThan(0));
        Assert.That(sample.BadLines, Is.Not.Empty);
        Assert.That(result.Imported, Is.EqualTo(sample.Distinct));
        Assert.That(result.Duplicates, Is.EqualTo(sample.Duplicates));
        Assert.That(result.Rejected.Select(r => r.Line), Is.EqualTo(sample.BadLines));
        Assert.That(await _store.CountAsync(), Is.EqualTo(sample.Distinct));
        Assert.That(progress, Is.Not.Empty);
        Assert.That(progress[^1].Imported, Is.EqualTo(sample.Distinct));
        Assert.That(await _store.SearchAsync("martin"), Has.Count.EqualTo(DirectoryStore.DefaultLimit));
    }

    static string AnnuaireSante(string path) =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "..", "..", "shared", "data", "annuaire-sante", path);

    [Test]
    public async Task The_annuaire_sante_searchset_is_imported_with_its_mailbox_types()
    {
        var path = AnnuaireSante("ig-mss-api-examples/Bundle-mss-bundle-bal-per-full.json");
        if (!File.Exists(path))
        {
            Assert.Ignore($"reference data not found: {path}");
        }
        var result = await new AnnuaireFhirImporter(_store).ImportAsync(path);
        Assert.That(result.Imported, Is.EqualTo(2));
        var dupont = (await _store.SearchAsync("dupont")).Single();
        Assert.That(dupont, Is.EqualTo(new DirectoryEntry("jean-marie.dupont@infirmier.mssante.fr", "Jean-Marie DUPONT", null, null, null,
            "10003456789", "personnelle")));
    }

    [Test]
    public async Task The_annuaire_sante_examples_give_their_mssante_addresses_only()
    {
        foreach (var (file, address, type) in new[]
                 {
                     ("ig-annuaire-examples/Practitioner-3719500.json", "davidchatelier@pro.mssante.fr", "personnelle"),
                     ("ig-annuaire-examples/Organization-481677.json", "xxxx@xxxxx.mssante.fr", "organisationnelle"),
                 })
        {
            var path = AnnuaireSante(file);
            if (!File.Exists(path))
            {
                Assert.Ignore($"reference data not found: {path}");
            }
            var result = await new AnnuaireFhirImporter(_store).ImportAsync(path);
            Assert.That(result.Imported, Is.EqualTo(1), file);
            Assert.That((await _store.SearchAsync(address)).Single().MailboxType, Is.EqualTo(type), file);
        }
        Assert.That((await _store.SearchAsync("chatelier")).Single().Rpps, Is.EqualTo("10102727017"));
        Assert.That(await _store.SearchAsync("davidchatelier@orange.fr"), Is.Empty, "a plain email is not an MSSanté address");
    }

    [Test]
    public async Task A_fhir_bundle_joins_roles_to_practitioners_and_organisations_ignores_unknown_fields_and_leaves_out_red_listed_mailboxes()
    {
        const string bundle = """
            {"resourceType":"Bundle","type":"searchset","futureField":{"x":1},"entry":[
             {"resource":{"resourceType":"Practitioner","id":"p1","identifier":[{"system":"urn:oid:1.2.250.1.71.4.2.1","value":"810101234564"}],
               "name":[{"family":"MARTIN","given":["Claire"]}]}},
             {"resource":{"resourceType":"Organization","id":"o1","name":"MAISON DE SANTÉ DES LILAS","address":[{"city":"58000 NEVERS","postalCode":"58000"}],
               "telecom":[{"system":"email","value":"secretariat@msp-lilas.mssante.fr","extension":[{"url":"https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata",
                 "extension":[{"url":"type","valueCodeableConcept":{"coding":[{"code":"APP"}]}},{"url":"nouveauChamp","valueString":"?"}]}]}]}},
             {"resource":{"resourceType":"PractitionerRole","id":"r1","practitioner":{"reference":"Practitioner/p1"},"organization":{"reference":"Organization/o1"},
               "code":[{"coding":[{"system":"https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante","code":"10"}]}],
               "specialty":[{"coding":[{"system":"https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale","code":"SM54","display":"Médecine générale"}]}],
               "telecom":[{"system":"email","value":"claire.martin@medecin.mssante.fr","extension":[{"url":"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type","valueCoding":{"code":"MSSANTE"}}]},
                          {"system":"email","value":"claire@gmail.com"},
                          {"system":"email","value":"claire.privee@medecin.mssante.fr","extension":[{"url":"https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata",
                            "extension":[{"url":"type","valueCodeableConcept":{"coding":[{"code":"PER"}]}},{"url":"listeRouge","valueBoolean":true}]}]}]}}]}
            """;
        var result = await new AnnuaireFhirImporter(_store).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(bundle)));
        Assert.That(result.Imported, Is.EqualTo(2));
        // The red-listed mailbox is left out.
        Assert.That((await _store.SearchAsync("claire")).Single(), Is.EqualTo(new DirectoryEntry("claire.martin@medecin.mssante.fr", "Claire MARTIN",
            "Médecin", "Médecine générale", "NEVERS", "10101234564", "personnelle")));
        Assert.That((await _store.SearchAsync("secretariat@msp")).Single().MailboxType, Is.EqualTo("applicative"));
        Assert.That(await _store.SearchAsync("lilas"), Has.Count.EqualTo(2), "the organisation and the practitioner working there");
    }

    [Test]
    public async Task Searches_during_an_import_answer_from_the_previous_directory_until_it_is_committed()
    {
        await ImportAsync(Row("PER", "claire.martin@medecin.mssante.fr", "MARTIN", "Claire"),
            Row("PER", "paul.durand@medecin.mssante.fr", "DURAND", "Paul", rpps: "10101234606"));
        var seenBeforeCommit = new List<string>();
        var result = await new MssanteExtractionImporter(_store).ImportAsync(new MemoryStream(Extraction(
                Row("PER", "claire.martin@medecin.mssante.fr", "MARTIN", "Claire"),
                Row("PER", "ines.roux@medecin.mssante.fr", "ROUX", "Inès", rpps: "10101234614"))),
            check: _ =>
            {
                // Every row is written but not committed: the store's other connections still see the previous directory.
                seenBeforeCommit.AddRange(_store.SearchAsync("durand").GetAwaiter().GetResult().Select(e => e.Address));
                seenBeforeCommit.AddRange(_store.SearchAsync("roux").GetAwaiter().GetResult().Select(e => e.Address));
                return null;
            });

        Assert.That(result.Imported, Is.EqualTo(2));
        Assert.That(seenBeforeCommit, Is.EqualTo(new[] { "paul.durand@medecin.mssante.fr" }));
        Assert.That(await _store.SearchAsync("durand"), Is.Empty, "a mailbox the new extraction no longer lists is gone");
        Assert.That((await _store.SearchAsync("roux")).Single().Address, Is.EqualTo("ines.roux@medecin.mssante.fr"));
    }

    [Test]
    public async Task An_import_its_check_refuses_writes_nothing()
    {
        await ImportSomeAsync();
        var before = await _store.CountAsync();

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => new MssanteExtractionImporter(_store).ImportAsync(
            new MemoryStream(Extraction(Row("PER", "ines.roux@medecin.mssante.fr", "ROUX", "Inès"))),
            check: r => r.Imported < 2 ? "trop peu de boîtes" : null));

        Assert.That(refused!.Message, Is.EqualTo("trop peu de boîtes"));
        Assert.That(await _store.CountAsync(), Is.EqualTo(before));
        Assert.That(await _store.SearchAsync("roux"), Is.Empty);
        Assert.That(await _store.SearchAsync("durand"), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_fhir_snapshot_replaces_the_fhir_mailboxes_and_leaves_the_extraction_alone()
    {
        await ImportAsync(Row("PER", "paul.durand@medecin.mssante.fr", "DURAND", "Paul", rpps: "10101234606"));
        var fhir = new AnnuaireFhirImporter(_store);
        await fhir.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(AnnuaireBundles.Bundle(
            AnnuaireBundles.Practitioner(TestPki.Claire, "c", AnnuaireBundles.Mailbox(TestPki.Claire.Address)),
            AnnuaireBundles.Practitioner(TestPki.Julien, "j", AnnuaireBundles.Mailbox(TestPki.Julien.Address))))));
        Assert.That(await _store.CountAsync(AnnuaireFhirImporter.Source), Is.EqualTo(2));

        await fhir.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(AnnuaireBundles.Bundle(
            AnnuaireBundles.Practitioner(TestPki.Claire, "c", AnnuaireBundles.Mailbox(TestPki.Claire.Address))))), replace: true);

        Assert.That(await _store.FindAsync(TestPki.Claire.Address), Is.Not.Null);
        Assert.That(await _store.FindAsync(TestPki.Julien.Address), Is.Null, "no longer in the snapshot");
        Assert.That(await _store.FindAsync("paul.durand@medecin.mssante.fr"), Is.Not.Null, "another source's mailbox stays");
        Assert.That(await _store.CountAsync(MssanteExtractionImporter.Source), Is.EqualTo(1));
    }
}
