using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using MiSS.Core.Documents;
using MiSS.Core.Secure;
using MiSS.Core.Tests.Secure;
using static MiSS.Core.Tests.Documents.XdmFixtures;

namespace MiSS.Core.Tests.Documents;

public class XdmPackageTests
{
    static readonly XNamespace Lcm = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0";
    static readonly XNamespace Rim = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0";

    static string ExpectedPatientId => $"{MarieIns}^^^&1.2.250.1.213.1.4.10&ISO^NH";

    const string ExpectedAuthor = "810101234564^MARTIN^Claire^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS";

    static IEnumerable<string> Slot(XElement owner, string name) =>
        owner.Elements(Rim + "Slot").Where(s => (string?)s.Attribute("name") == name).Elements(Rim + "ValueList").Elements(Rim + "Value").Select(v => v.Value);

    static XElement Classified(XElement owner, string scheme) =>
        owner.Elements(Rim + "Classification").Single(c => (string?)c.Attribute("classificationScheme") == scheme);

    static string Identifier(XElement owner, string scheme) =>
        owner.Elements(Rim + "ExternalIdentifier").Single(e => (string?)e.Attribute("identificationScheme") == scheme).Attribute("value")!.Value;

    [Test]
    public void The_archive_has_the_XDM_layout()
    {
        var names = Entries(TwoDocuments()).Keys;

        Assert.That(names, Is.EquivalentTo(new[]
        {
            "INDEX.HTM", "README.TXT", "IHE_XDM/", "IHE_XDM/SUBSET01/", "IHE_XDM/SUBSET01/METADATA.XML",
            "IHE_XDM/SUBSET01/DOC0001.PDF", "IHE_XDM/SUBSET01/DOC0002.PNG",
        }));
        Assert.That(XdmPackage.FileName, Is.EqualTo("IHE_XDM.ZIP"));
        Assert.That(XdmPackage.IsXdmAttachmentName("ihe_xdm.zip"), Is.True);
        Assert.That(XdmPackage.IsXdmAttachmentName("other.zip"), Is.False);
    }

    [Test]
    public void Build_then_read_gives_back_identical_documents_and_their_metadata()
    {
        var pdf = SampleFiles.Pdf("bilan");
        var png = SampleFiles.Png();

        var contents = XdmPackage.Read(TwoDocuments());

        Assert.That(contents.Documents, Has.Count.EqualTo(2));
        var (first, second) = (contents.Documents[0], contents.Documents[1]);
        Assert.Multiple(() =>
        {
            Assert.That(first.Content, Is.EqualTo(pdf));
            Assert.That(second.Content, Is.EqualTo(png));
            Assert.That(first.Path, Is.EqualTo("IHE_XDM/SUBSET01/DOC0001.PDF"));
            Assert.That(first.MediaType, Is.EqualTo("application/pdf"));
            Assert.That(second.MediaType, Is.EqualTo("image/png"));
            Assert.That(first.Title, Is.EqualTo("Résultats bilan.pdf"));
            Assert.That(second.Title, Is.EqualTo("plaie talon.png"));
            Assert.That(first.Size, Is.EqualTo(pdf.Length));
            Assert.That(first.Hash, Is.EqualTo(Convert.ToHexStringLower(SHA1.HashData(pdf))));
            Assert.That(first.PatientId, Is.EqualTo(ExpectedPatientId));
            Assert.That(first.SourcePatientId, Is.EqualTo(ExpectedPatientId));
            Assert.That(first.SourcePatientInfo, Is.EqualTo(new[] { "PID-3|" + ExpectedPatientId, "PID-5|DUPONT^Marie Anne^^^^^L", "PID-7|19800131" }));
            Assert.That(first.CreationTime, Is.EqualTo("20250314093000"));
            Assert.That(first.LanguageCode, Is.EqualTo("fr-FR"));
            Assert.That(first.AuthorPerson, Is.EqualTo(ExpectedAuthor));
            Assert.That(first.FormatCode, Is.EqualTo(XdmCodes.FormatPdf));
            Assert.That(second.FormatCode, Is.EqualTo(XdmCodes.FormatMimeTypeSufficient));
            Assert.That(first.ConfidentialityCode, Is.EqualTo(new XdmCode("N", "2.16.840.1.113883.5.25", "Normal")));
            Assert.That(first.TypeCode, Is.EqualTo(XdmCodes.GenericDocument));
            Assert.That(first.ClassCode, Is.EqualTo(XdmCodes.GenericDocument));
            Assert.That(first.UniqueId, Does.Match(@"^2\.25\.[1-9][0-9]*$"));
            Assert.That(first.UniqueId, Is.Not.EqualTo(second.UniqueId));
        });

        var set = contents.SubmissionSets.Single();
        Assert.Multiple(() =>
        {
            Assert.That(set.SubmissionTime, Is.EqualTo("20250314093000"));
            Assert.That(set.SourceId, Is.EqualTo(XdmCodes.DefaultSourceId));
            Assert.That(set.PatientId, Is.EqualTo(ExpectedPatientId));
            Assert.That(set.AuthorPerson, Is.EqualTo(ExpectedAuthor));
            Assert.That(set.ContentTypeCode, Is.EqualTo(XdmCodes.GenericDocument));
            Assert.That(set.UniqueId, Does.Match(@"^2\.25\.[1-9][0-9]*$"));
        });
    }

    [Test]
    public void Hash_and_size_in_the_metadata_are_those_of_the_files_in_the_archive()
    {
        var zip = TwoDocuments();
        var files = Entries(zip);
        var documents = Metadata(zip).Descendants(Rim + "ExtrinsicObject").ToList();

        Assert.That(documents, Has.Count.EqualTo(2));
        foreach (var document in documents)
        {
            var file = files["IHE_XDM/SUBSET01/" + Slot(document, "URI").Single()];
            Assert.That(Slot(document, "hash").Single(), Is.EqualTo(Convert.ToHexStringLower(SHA1.HashData(file))));
            Assert.That(Slot(document, "size").Single(), Is.EqualTo(file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public void The_metadata_is_an_ebRIM_submission_with_the_right_namespaces_and_structure()
    {
        var zip = TwoDocuments();
        var raw = Encoding.UTF8.GetString(Entries(zip)["IHE_XDM/SUBSET01/METADATA.XML"]);
        var xml = XDocument.Parse(raw);
        var root = xml.Root!;

        Assert.That(raw, Does.StartWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>").IgnoreCase);
        Assert.That(root.Name, Is.EqualTo(Lcm + "SubmitObjectsRequest"));
        Assert.That(root.GetNamespaceOfPrefix("lcm"), Is.EqualTo(Lcm));
        Assert.That(root.GetNamespaceOfPrefix("rim"), Is.EqualTo(Rim));
        Assert.That(root.GetNamespaceOfPrefix("query")?.NamespaceName, Is.EqualTo("urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"));
        Assert.That(root.GetNamespaceOfPrefix("rs")?.NamespaceName, Is.EqualTo("urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"));
        Assert.That(root.Descendants().Select(e => e.Name.Namespace).Distinct(), Is.EquivalentTo(new[] { Rim }), "every element below the root is rim");
        Assert.That(root.Elements().Single().Name, Is.EqualTo(Rim + "RegistryObjectList"));

        var list = root.Element(Rim + "RegistryObjectList")!;
        var set = list.Elements(Rim + "RegistryPackage").Single();
        var setId = (string)set.Attribute("id")!;
        var documents = list.Elements(Rim + "ExtrinsicObject").ToList();
        var documentIds = documents.Select(d => (string)d.Attribute("id")!).ToList();
        var ids = root.Descendants().Attributes("id").Select(a => a.Value).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.Unique);
            Assert.That(ids, Has.All.Match(@"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"));
            Assert.That(Slot(set, "submissionTime").Single(), Is.EqualTo("20250314093000"));
            Assert.That(Identifier(set, "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"), Does.StartWith("2.25."), "submission set uniqueId");
            Assert.That(Identifier(set, "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"), Is.EqualTo(XdmCodes.DefaultSourceId), "sourceId");
            Assert.That(Identifier(set, "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"), Is.EqualTo(ExpectedPatientId), "submission set patientId");
            Assert.That(Slot(Classified(set, "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"), "authorPerson").Single(), Is.EqualTo(ExpectedAuthor));
            Assert.That(Slot(Classified(set, "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"), "authorTelecommunication").Single(),
                Is.EqualTo("^^Internet^claire.martin@dev.mssante.test"));
            Assert.That((string?)Classified(set, "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500").Attribute("nodeRepresentation"), Is.EqualTo("MISS-DOCUMENT"));

            var setClassification = list.Elements(Rim + "Classification").Single();
            Assert.That((string?)setClassification.Attribute("classifiedObject"), Is.EqualTo(setId));
            Assert.That((string?)setClassification.Attribute("classificationNode"), Is.EqualTo("urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"));

            var associations = list.Elements(Rim + "Association").ToList();
            Assert.That(associations, Has.Count.EqualTo(2));
            Assert.That(associations.Select(a => (string?)a.Attribute("associationType")), Has.All.EqualTo("urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"));
            Assert.That(associations.Select(a => (string?)a.Attribute("sourceObject")), Has.All.EqualTo(setId));
            Assert.That(associations.Select(a => (string)a.Attribute("targetObject")!), Is.EquivalentTo(documentIds));
            Assert.That(associations.Select(a => Slot(a, "SubmissionSetStatus").Single()), Has.All.EqualTo("Original"));
        });

        var pdf = documents.Single(d => (string?)d.Attribute("mimeType") == "application/pdf");
        Assert.Multiple(() =>
        {
            Assert.That((string?)pdf.Attribute("objectType"), Is.EqualTo("urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"));
            Assert.That(Slot(pdf, "URI").Single(), Is.EqualTo("DOC0001.PDF"));
            Assert.That(Slot(pdf, "languageCode").Single(), Is.EqualTo("fr-FR"));
            Assert.That(Slot(pdf, "creationTime").Single(), Is.EqualTo("20250314093000"));
            Assert.That(Slot(pdf, "sourcePatientInfo"), Does.Contain("PID-5|DUPONT^Marie Anne^^^^^L").And.Contain("PID-7|19800131"));
            Assert.That(Identifier(pdf, "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"), Is.EqualTo(ExpectedPatientId), "document patientId");
            Assert.That(Identifier(pdf, "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"), Does.StartWith("2.25."), "document uniqueId");
            Assert.That((string?)Classified(pdf, "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d").Attribute("nodeRepresentation"), Is.EqualTo("urn:ihe:iti:xds-sd:pdf:2008"));
            Assert.That(Slot(Classified(pdf, "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"), "codingScheme").Single(), Is.EqualTo("1.3.6.1.4.1.19376.1.2.3"));
            Assert.That((string?)Classified(pdf, "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f").Attribute("nodeRepresentation"), Is.EqualTo("N"));
            Assert.That(Classified(pdf, "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"), Is.Not.Null, "typeCode");
            Assert.That(Classified(pdf, "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"), Is.Not.Null, "classCode");
            Assert.That(Slot(Classified(pdf, "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"), "authorPerson").Single(), Is.EqualTo(ExpectedAuthor));
            // ebRIM order inside a registry object: Slot*, Name, Classification*, ExternalIdentifier*.
            Assert.That(pdf.Elements().Select(e => e.Name.LocalName).Distinct(), Is.EqualTo(new[] { "Slot", "Name", "Classification", "ExternalIdentifier" }));
        });
    }

    [Test]
    public void A_known_kind_of_document_travels_with_its_LOINC_type_code()
    {
        var zip = XdmPackage.Build([new XdmDocument("nfs.pdf", "application/pdf", SampleFiles.Pdf()) { TypeCode = XdmCodes.LaboratoryReport }],
            Marie, Claire, Now);

        Assert.That(XdmPackage.Read(zip).Documents.Single().TypeCode, Is.EqualTo(new XdmCode("11502-2", "2.16.840.1.113883.6.1", "Compte rendu d'examens biologiques")));
    }

    [Test]
    public void Without_an_INS_no_patient_id_is_written_but_name_and_birth_date_travel()
    {
        var zip = XdmPackage.Build([("cr.pdf", "application/pdf", SampleFiles.Pdf())], Unqualified, Claire, Now);
        var read = XdmPackage.Read(zip);
        var document = read.Documents.Single();

        Assert.That(document.PatientId, Is.Null);
        Assert.That(document.SourcePatientId, Is.Null);
        Assert.That(read.SubmissionSets.Single().PatientId, Is.Null);
        Assert.That(document.SourcePatientInfo, Is.EqualTo(new[] { "PID-5|DURAND^Paul^^^^^L", "PID-7|19750602" }));
        Assert.That(Encoding.UTF8.GetString(Entries(zip)["IHE_XDM/SUBSET01/METADATA.XML"]), Does.Not.Contain("^NH"));
    }

    [Test]
    public void The_INS_authority_defaults_to_the_NIR_oid()
    {
        var patient = Marie with { InsOid = null };

        Assert.That(XdmPackage.PatientId(patient), Is.EqualTo($"{MarieIns}^^^&1.2.250.1.213.1.4.8&ISO^NH"));
    }

    [Test]
    public void HL7_delimiters_in_names_are_escaped()
    {
        var patient = Unqualified with { FamilyName = "O^BRIEN|X", GivenNames = "Anne&Marie~\\" };
        var zip = XdmPackage.Build([("cr.pdf", "application/pdf", SampleFiles.Pdf())], patient, Claire, Now);

        Assert.That(XdmPackage.Read(zip).Documents.Single().SourcePatientInfo[0], Is.EqualTo(@"PID-5|O\S\BRIEN\F\X^Anne\T\Marie\R\\E\^^^^^L"));
    }

    [Test]
    public void MSSante_headers_are_set_only_when_CDA_documents_travel()
    {
        Assert.That(XdmPackage.MssHeaders(Marie, []), Is.Empty, "PDF and images only: neither X-MSS-INS nor X-MSS-CODECDA");
        Assert.That(XdmPackage.MssHeaders(Marie, ["11502-2"]), Is.EqualTo(new[]
        {
            new KeyValuePair<string, string>("X-MSS-INS", "O"), new KeyValuePair<string, string>("X-MSS-CODECDA", "11502-2"),
        }));
        Assert.That(XdmPackage.MssHeaders(Unqualified, ["11502-2", "18748-4"]).Select(h => h.Value), Is.EqualTo(new[] { "N", "11502-2", "18748-4" }));
    }

    [Test]
    public void The_index_lists_the_documents_with_escaped_names_and_the_readme_names_the_author()
    {
        var zip = XdmPackage.Build([("R&D <b>.pdf", "application/pdf", SampleFiles.Pdf())], Marie, Claire, Now);
        var files = Entries(zip);
        var index = Encoding.UTF8.GetString(files["INDEX.HTM"]);
        var readme = Encoding.UTF8.GetString(files["README.TXT"]);

        Assert.That(index, Does.Contain("<a href=\"IHE_XDM/SUBSET01/DOC0001.PDF\">R&amp;D _b_.pdf</a>"));
        Assert.That(index, Does.Not.Contain("DUPONT"), "the index names no patient");
        Assert.That(readme, Does.Contain("Claire MARTIN").And.Contain("810101234564").And.Contain("\r\n"));
    }

    [Test]
    public void The_author_can_come_from_a_practitioner_certificate()
    {
        var identity = PractitionerIdentity.FromCertificate(SmimeFixtures.Certificate(TestPki.Claire));

        var author = XdmAuthor.FromIdentity(identity);

        Assert.That(author.NationalId, Is.EqualTo("8" + identity.Rpps));
        Assert.That(XdmPackage.AuthorPerson(author), Does.StartWith($"8{identity.Rpps}^{identity.FamilyName}^{identity.GivenName}^"));
        Assert.That(author.Mailbox, Is.EqualTo(TestPki.Claire.Address));
    }

    [Test]
    public void Bad_inputs_are_refused_with_clear_errors()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => XdmPackage.Build(Array.Empty<(string, string, byte[])>(), Marie, Claire, Now), "no document");
            Assert.Throws<ArgumentException>(() => XdmPackage.Build([("x.pdf", "application/pdf", SampleFiles.Png())], Marie, Claire, Now), "content is not the declared type");
            Assert.Throws<ArgumentException>(() => XdmPackage.Build([("x.pdf", "application/pdf", Array.Empty<byte>())], Marie, Claire, Now), "empty");
            Assert.Throws<ArgumentException>(() => XdmPackage.Build([("x.webp", "image/webp", SampleFiles.WebP())], Marie, Claire, Now), "WebP is converted first");
            Assert.Throws<ArgumentException>(() => XdmPackage.Build([("x.exe", "application/x-msdownload", SampleFiles.Pe())], Marie, Claire, Now), "not an accepted type");
            Assert.Throws<ArgumentException>(() => XdmPackage.Build([("x.pdf", "application/pdf", SampleFiles.Pdf())], Marie with { BirthDate = "31/01/1980" }, Claire, Now), "birth date");
            Assert.Throws<ArgumentException>(() => XdmPackage.Build([("x.pdf", "application/pdf", SampleFiles.Pdf())], Marie with { InsOid = "NIR" }, Claire, Now), "INS authority");
            Assert.Throws<ArgumentException>(() => XdmPackage.Build([new XdmDocument("x.pdf", "application/pdf", SampleFiles.Pdf())], Marie, Claire, Now, "not-an-oid"), "sourceId");
            Assert.Throws<ArgumentException>(() => _ = new XdmAuthor("10101234564", "MARTIN", "Claire"), "an RPPS without its 8");
        });
    }

    [Test]
    public void Documents_read_back_pass_the_inspector_under_their_title()
    {
        foreach (var document in XdmPackage.Read(TwoDocuments()).Documents)
        {
            var inspected = AttachmentInspector.Inspect(document.Content, document.Title, document.MediaType, TransportProfile.MSSante);

            Assert.That(inspected.MediaType, Is.EqualTo(document.MediaType));
            Assert.That(inspected.SafeFileName, Is.EqualTo(document.Title));
        }
    }
}
