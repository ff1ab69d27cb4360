using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using MiSS.Core.Conversations;

namespace MiSS.Core.Documents;

/// <summary>
/// IHE XDM (ITI TF-1 §16, ITI-32 "Distribute Document Set on Media") the MSSanté way: one attachment
/// <c>IHE_XDM.ZIP</c> holding <c>INDEX.HTM</c>, <c>README.TXT</c> and <c>IHE_XDM/SUBSET01/</c> with
/// <c>METADATA.XML</c> (an ebRIM 3.0 <c>lcm:SubmitObjectsRequest</c>) and the documents <c>DOC0001.PDF</c>…
/// </summary>
public static class XdmPackage
{
    /// <summary>The attachment's name.</summary>
    public const string FileName = "IHE_XDM.ZIP";

    /// <summary>The attachment's media type.</summary>
    public const string MediaType = "application/zip";

    /// <summary>The subset folder MiSS writes.</summary>
    public const string SubsetFolder = "IHE_XDM/SUBSET01/";

    /// <summary>Most documents in one archive (the file names have four digits).</summary>
    public const int MaxDocuments = 9999;

    /// <summary>ebXML Registry 3.0 life cycle management namespace.</summary>
    public static readonly XNamespace Lcm = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0";

    /// <summary>ebXML Registry 3.0 information model namespace.</summary>
    public static readonly XNamespace Rim = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0";

    /// <summary>ebXML Registry 3.0 registry services namespace.</summary>
    public static readonly XNamespace Rs = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0";

    /// <summary>ebXML Registry 3.0 query namespace.</summary>
    public static readonly XNamespace Query = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0";

    private const string DefaultInsOid = "1.2.250.1.213.1.4.8";
    private const string MetadataName = "METADATA.XML";

    // XDS object types, classification schemes and identification schemes (ITI TF-3 §4.2.5).
    private const string DocumentEntryType = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1";
    private const string SubmissionSetNode = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd";
    private const string DocAuthor = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d";
    private const string DocClassCode = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a";
    private const string DocConfidentialityCode = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f";
    private const string DocFormatCode = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d";
    private const string DocTypeCode = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983";
    private const string DocPatientId = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427";
    private const string DocUniqueId = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab";
    private const string SetAuthor = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d";
    private const string SetContentTypeCode = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500";
    private const string SetUniqueId = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8";
    private const string SetSourceId = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832";
    private const string SetPatientId = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446";
    private const string ClassificationType = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification";
    private const string ExternalIdentifierType = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier";
    private const string RegistryPackageType = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage";
    private const string AssociationType = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association";
    private const string HasMember = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember";

    /// <summary>True when an attachment's name says it is an XDM archive (to route it here rather than to the inspector).</summary>
    public static bool IsXdmAttachmentName(string? name) =>
        string.Equals(FileNames.ForDisplay(name), FileName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Builds <c>IHE_XDM.ZIP</c> for documents about one patient, written by one author, with generic codes.</summary>
    public static byte[] Build(IReadOnlyList<(string FileName, string MediaType, byte[] Content)> documents, PatientContext patient,
        XdmAuthor author, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return Build(documents.Select(d => new XdmDocument(d.FileName, d.MediaType, d.Content)).ToList(), patient, author, now);
    }

    /// <summary>
    /// Builds <c>IHE_XDM.ZIP</c>. Each document's content must sniff as its declared media type, of a type XDM
    /// carries here (<see cref="FileType.AllowedInXdm"/>: PDF, JPEG, PNG, GIF, TIFF, text). The patient id is written
    /// only when the patient has an INS (<c>INS^^^&amp;OID&amp;ISO^NH</c>); name and birth date always travel in
    /// sourcePatientInfo. Times are <paramref name="now"/> in UTC.
    /// </summary>
    /// <param name="documents">One to <see cref="MaxDocuments"/> documents.</param>
    /// <param name="patient">The patient the documents are about.</param>
    /// <param name="author">The practitioner sending them.</param>
    /// <param name="now">The packaging time (submissionTime, creationTime, ZIP entry times).</param>
    /// <param name="sourceId">The OID of the creating system; <see cref="XdmCodes.DefaultSourceId"/> when null.</param>
    /// <exception cref="ArgumentException">No document, too many, an empty one, one whose content is not its declared type, or a malformed patient.</exception>
    public static byte[] Build(IReadOnlyList<XdmDocument> documents, PatientContext patient, XdmAuthor author, DateTimeOffset now,
        string? sourceId = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(author);
        if (documents.Count is 0 or > MaxDocuments)
        {
            throw new ArgumentException($"An XDM archive holds 1 to {MaxDocuments} documents.", nameof(documents));
        }
        sourceId ??= XdmCodes.DefaultSourceId;
        if (!IsOid(sourceId))
        {
            throw new ArgumentException("The sourceId must be an OID.", nameof(sourceId));
        }

        var files = new List<(string Name, FileType Type, XdmDocument Document)>();
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i] ?? throw new ArgumentException("A document is null.", nameof(documents));
            var type = CheckDocument(document, i);
            files.Add(($"DOC{i + 1:D4}.{ShortExtension(type)}", type, document));
        }

        var metadata = BuildMetadata(files, patient, author, now, sourceId);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            AddEntry(zip, "INDEX.HTM", Encoding.UTF8.GetBytes(IndexHtml(files, author, now)), now);
            AddEntry(zip, "README.TXT", Encoding.UTF8.GetBytes(ReadmeText(files.Count, author, now)), now);
            zip.CreateEntry("IHE_XDM/").LastWriteTime = now;
            zip.CreateEntry(SubsetFolder).LastWriteTime = now;
            AddEntry(zip, SubsetFolder + MetadataName, metadata, now);
            foreach (var (name, _, document) in files)
            {
                AddEntry(zip, SubsetFolder + name, document.Content, now);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The MSSanté headers an archive calls for (Référentiel socle MSSanté #2, ECO.2.4.1 and ECO.2.4.2): both only when
    /// the archive carries CDA documents: <c>X-MSS-INS</c> = <c>O</c> when the patient has an INS, <c>N</c>
    /// otherwise, and one <c>X-MSS-CODECDA</c> per CDA document code. MiSS's archives carry PDF and images, so for
    /// them (no code) the list is empty.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> MssHeaders(PatientContext patient, IReadOnlyCollection<string> cdaDocumentCodes)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(cdaDocumentCodes);
        if (cdaDocumentCodes.Count == 0)
        {
            return [];
        }
        var headers = new List<KeyValuePair<string, string>> { new("X-MSS-INS", patient.Ins is null ? "N" : "O") };
        headers.AddRange(cdaDocumentCodes.Select(code => new KeyValuePair<string, string>("X-MSS-CODECDA", code)));
        return headers;
    }

    /// <summary>
    /// Reads an XDM archive (an incoming <c>IHE_XDM.ZIP</c>, or one built here), within <paramref name="limits"/>:
    /// entry count and declared sizes are checked before anything is decompressed, actual sizes while decompressing;
    /// entry names and document URIs must stay inside the archive; each document's size and SHA-1 must match the
    /// metadata when the metadata gives them. The documents' types are not checked here: inspect each with
    /// <see cref="AttachmentInspector.Inspect"/> before showing it.
    /// </summary>
    /// <exception cref="XdmArchiveException">The archive is refused; <see cref="XdmArchiveException.Error"/> says why.</exception>
    public static XdmContents Read(byte[] zip, XdmReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(zip);
        limits ??= XdmReadLimits.Default;
        CheckDeclaredEntryCount(zip, limits);
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
            var entries = CheckEntries(archive, limits);
            var budget = new ReadBudget(limits.MaxTotalUncompressedBytes);
            var metadataEntries = entries
                .Where(e => e.Key.StartsWith("IHE_XDM/", StringComparison.OrdinalIgnoreCase)
                            && e.Key.Count(c => c == '/') == 2
                            && e.Key.EndsWith("/" + MetadataName, StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.Key, StringComparer.Ordinal)
                .ToList();
            if (metadataEntries.Count == 0)
            {
                throw new XdmArchiveException(XdmArchiveError.MissingMetadata,
                    "L'archive IHE_XDM ne contient pas de description des documents (IHE_XDM/…/METADATA.XML).");
            }

            var sets = new List<XdmSubmissionSet>();
            var documents = new List<XdmDocumentEntry>();
            foreach (var (path, entry) in metadataEntries)
            {
                var folder = path[..(path.LastIndexOf('/') + 1)];
                var metadata = ParseMetadata(ReadEntry(entry, budget));
                sets.Add(ReadSubmissionSet(metadata));
                foreach (var extrinsic in metadata.Descendants(Rim + "ExtrinsicObject"))
                {
                    documents.Add(ReadDocument(extrinsic, folder, entries, budget));
                }
            }
            return new XdmContents(sets, documents);
        }
        catch (InvalidDataException e)
        {
            throw new XdmArchiveException(XdmArchiveError.Corrupt, "L'archive IHE_XDM est endommagée ou illisible.", e);
        }
    }

    // ---- Building ----

    private static FileType CheckDocument(XdmDocument document, int index)
    {
        if (document.Content is null || document.Content.Length == 0)
        {
            throw new ArgumentException($"Document {index + 1} is empty.", nameof(document));
        }
        var declared = FileTypes.FromMediaType(document.MediaType)
            ?? throw new ArgumentException($"Document {index + 1}: '{document.MediaType}' is not an accepted media type.", nameof(document));
        if (!declared.AllowedInXdm)
        {
            throw new ArgumentException($"Document {index + 1}: {declared.MediaType} does not travel in XDM here; convert it to JPEG first.", nameof(document));
        }
        var sniffed = FileTypes.Sniff(document.Content);
        if (sniffed.Type != declared)
        {
            throw new ArgumentException($"Document {index + 1} is declared {declared.MediaType} but its content is not.", nameof(document));
        }
        return declared;
    }

    private static string ShortExtension(FileType type) => type.Extension.ToUpperInvariant() switch
    {
        var e when e.Length <= 3 => e,
        var e => e[..3],
    };

    private static void AddEntry(ZipArchive zip, string name, byte[] content, DateTimeOffset now)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = now;
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static byte[] BuildMetadata(List<(string Name, FileType Type, XdmDocument Document)> files, PatientContext patient,
        XdmAuthor author, DateTimeOffset now, string sourceId)
    {
        var time = Dtm(now);
        var patientId = PatientId(patient);
        var patientInfo = SourcePatientInfo(patient, patientId);
        var setId = NewEntryId();
        var list = new XElement(Rim + "RegistryObjectList");

        var set = new XElement(Rim + "RegistryPackage",
            new XAttribute("id", setId),
            new XAttribute("objectType", RegistryPackageType),
            Slot("submissionTime", time),
            Name("Documents transmis par MiSS"),
            AuthorClassification(SetAuthor, setId, author),
            CodeClassification(SetContentTypeCode, setId, XdmCodes.GenericDocument),
            ExternalIdentifier(SetUniqueId, setId, NewUniqueId(), "XDSSubmissionSet.uniqueId"),
            ExternalIdentifier(SetSourceId, setId, sourceId, "XDSSubmissionSet.sourceId"),
            patientId is null ? null : ExternalIdentifier(SetPatientId, setId, patientId, "XDSSubmissionSet.patientId"));
        list.Add(set);
        list.Add(new XElement(Rim + "Classification",
            new XAttribute("id", NewEntryId()),
            new XAttribute("classifiedObject", setId),
            new XAttribute("classificationNode", SubmissionSetNode),
            new XAttribute("objectType", ClassificationType)));

        foreach (var (name, type, document) in files)
        {
            var docId = NewEntryId();
            var title = FileNames.Sanitize(document.FileName, type.Extension);
            list.Add(new XElement(Rim + "ExtrinsicObject",
                new XAttribute("id", docId),
                new XAttribute("mimeType", type.MediaType),
                new XAttribute("objectType", DocumentEntryType),
                Slot("creationTime", time),
                Slot("hash", Convert.ToHexStringLower(SHA1.HashData(document.Content))),
                Slot("languageCode", "fr-FR"),
                Slot("size", document.Content.Length.ToString(CultureInfo.InvariantCulture)),
                patientId is null ? null : Slot("sourcePatientId", patientId),
                Slot("sourcePatientInfo", [.. patientInfo]),
                Slot("URI", name),
                Name(title),
                AuthorClassification(DocAuthor, docId, author),
                CodeClassification(DocClassCode, docId, document.ClassCode ?? XdmCodes.GenericDocument),
                CodeClassification(DocConfidentialityCode, docId, XdmCodes.ConfidentialityNormal),
                CodeClassification(DocFormatCode, docId, XdmCodes.FormatFor(type.MediaType)),
                CodeClassification(DocTypeCode, docId, document.TypeCode ?? XdmCodes.GenericDocument),
                patientId is null ? null : ExternalIdentifier(DocPatientId, docId, patientId, "XDSDocumentEntry.patientId"),
                ExternalIdentifier(DocUniqueId, docId, NewUniqueId(), "XDSDocumentEntry.uniqueId")));
            list.Add(new XElement(Rim + "Association",
                new XAttribute("id", NewEntryId()),
                new XAttribute("associationType", HasMember),
                new XAttribute("sourceObject", setId),
                new XAttribute("targetObject", docId),
                new XAttribute("objectType", AssociationType),
                Slot("SubmissionSetStatus", "Original")));
        }

        var root = new XElement(Lcm + "SubmitObjectsRequest",
            new XAttribute(XNamespace.Xmlns + "lcm", Lcm.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "rim", Rim.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "rs", Rs.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "query", Query.NamespaceName),
            list);
        using var output = new MemoryStream();
        using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            new XDocument(new XDeclaration("1.0", "UTF-8", null), root).Save(writer);
        }
        return output.ToArray();
    }

    private static XElement Slot(string name, params string[] values) =>
        new(Rim + "Slot", new XAttribute("name", name),
            new XElement(Rim + "ValueList", values.Select(v => new XElement(Rim + "Value", v))));

    private static XElement Name(string value) =>
        new(Rim + "Name", new XElement(Rim + "LocalizedString",
            new XAttribute(XNamespace.Xml + "lang", "fr-FR"), new XAttribute("charset", "UTF-8"), new XAttribute("value", value)));

    private static XElement CodeClassification(string scheme, string classifiedObject, XdmCode code) =>
        new(Rim + "Classification",
            new XAttribute("id", NewEntryId()),
            new XAttribute("classificationScheme", scheme),
            new XAttribute("classifiedObject", classifiedObject),
            new XAttribute("nodeRepresentation", code.Code),
            new XAttribute("objectType", ClassificationType),
            Slot("codingScheme", code.CodingScheme),
            Name(code.DisplayName));

    private static XElement AuthorClassification(string scheme, string classifiedObject, XdmAuthor author) =>
        new(Rim + "Classification",
            new XAttribute("id", NewEntryId()),
            new XAttribute("classificationScheme", scheme),
            new XAttribute("classifiedObject", classifiedObject),
            new XAttribute("nodeRepresentation", ""),
            new XAttribute("objectType", ClassificationType),
            Slot("authorPerson", AuthorPerson(author)),
            author.InstitutionName is null ? null : Slot("authorInstitution", Hl7Escape(author.InstitutionName)),
            author.Mailbox is null ? null : Slot("authorTelecommunication", "^^Internet^" + Hl7Escape(author.Mailbox)));

    private static XElement ExternalIdentifier(string scheme, string registryObject, string value, string name) =>
        new(Rim + "ExternalIdentifier",
            new XAttribute("id", NewEntryId()),
            new XAttribute("identificationScheme", scheme),
            new XAttribute("registryObject", registryObject),
            new XAttribute("value", value),
            new XAttribute("objectType", ExternalIdentifierType),
            new XElement(Rim + "Name", new XElement(Rim + "LocalizedString", new XAttribute("value", name))));

    /// <summary>XCN: id^family^given^^^^^^&amp;1.2.250.1.71.4.2.1&amp;ISO^D^^^IDNPS.</summary>
    internal static string AuthorPerson(XdmAuthor author) =>
        $"{author.NationalId}^{Hl7Escape(author.FamilyName)}^{Hl7Escape(author.GivenName)}^^^^^^&{XdmAuthor.NationalIdOid}&ISO^D^^^IDNPS";

    /// <summary>CX: INS^^^&amp;OID&amp;ISO^NH, or null without an INS.</summary>
    internal static string? PatientId(PatientContext patient)
    {
        if (patient.Ins is null)
        {
            return null;
        }
        var oid = patient.InsOid ?? DefaultInsOid;
        if (!IsOid(oid))
        {
            throw new ArgumentException("The INS authority must be an OID.", nameof(patient));
        }
        if (patient.Ins.Length == 0 || !patient.Ins.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException("An INS matricule is made of ASCII letters and digits.", nameof(patient));
        }
        return $"{patient.Ins}^^^&{oid}&ISO^NH";
    }

    private static List<string> SourcePatientInfo(PatientContext patient, string? patientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patient.FamilyName);
        ArgumentException.ThrowIfNullOrWhiteSpace(patient.GivenNames);
        var values = new List<string>();
        if (patientId is not null)
        {
            values.Add("PID-3|" + patientId);
        }
        values.Add($"PID-5|{Hl7Escape(patient.FamilyName)}^{Hl7Escape(patient.GivenNames)}^^^^^L");
        if (patient.BirthDate is not null)
        {
            if (!DateOnly.TryParseExact(patient.BirthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth))
            {
                throw new ArgumentException("The birth date must be yyyy-MM-dd.", nameof(patient));
            }
            values.Add("PID-7|" + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        }
        return values;
    }

    /// <summary>HL7 v2 escaping of the delimiters | ^ &amp; ~ \ (and line breaks dropped).</summary>
    internal static string Hl7Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => sb.Append(@"\E\"),
                '|' => sb.Append(@"\F\"),
                '^' => sb.Append(@"\S\"),
                '&' => sb.Append(@"\T\"),
                '~' => sb.Append(@"\R\"),
                '\r' or '\n' => sb.Append(' '),
                _ => sb.Append(c),
            };
        }
        return sb.ToString();
    }

    private static string Dtm(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    private static string NewEntryId() => "urn:uuid:" + Guid.NewGuid().ToString("D");

    /// <summary>A fresh OID under 2.25 (ITU-T X.667): the UUID as one unsigned integer.</summary>
    internal static string NewUniqueId() =>
        "2.25." + new BigInteger(Guid.NewGuid().ToByteArray(bigEndian: true), isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);

    internal static bool IsOid(string value) =>
        value.Length is > 0 and <= 64
        && value.Split('.') is { Length: >= 2 } arcs
        && arcs.All(a => a.Length > 0 && a.All(char.IsAsciiDigit) && (a == "0" || a[0] != '0'));

    private static string IndexHtml(List<(string Name, FileType Type, XdmDocument Document)> files, XdmAuthor author, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\r\n<html lang=\"fr\">\r\n<head><meta charset=\"utf-8\"><title>Documents de santé transmis par MiSS</title></head>\r\n<body>\r\n");
        sb.Append("<h1>Documents de santé</h1>\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"<p>Transmis par {WebUtility.HtmlEncode(author.GivenName)} {WebUtility.HtmlEncode(author.FamilyName)} le {now.UtcDateTime:yyyy-MM-dd HH:mm} UTC.</p>\r\n<ul>\r\n");
        foreach (var (name, type, document) in files)
        {
            var title = WebUtility.HtmlEncode(FileNames.Sanitize(document.FileName, type.Extension));
            sb.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{SubsetFolder}{name}\">{title}</a></li>\r\n");
        }
        sb.Append("</ul>\r\n<p>Description technique : <a href=\"").Append(SubsetFolder).Append(MetadataName)
            .Append("\">METADATA.XML</a> ; informations : <a href=\"README.TXT\">README.TXT</a>.</p>\r\n</body>\r\n</html>\r\n");
        return sb.ToString();
    }

    private static string ReadmeText(int count, XdmAuthor author, DateTimeOffset now) => string.Create(CultureInfo.InvariantCulture,
        $"""
         Archive IHE XDM (Cross-Enterprise Document Media Interchange, IHE ITI TF-1 section 16)
         Créée par MiSS, messagerie sécurisée de santé (MSSanté), le {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.
         Auteur : {author.GivenName} {author.FamilyName} (identifiant national {author.NationalId}){(author.Mailbox is null ? "" : ", " + author.Mailbox)}.
         Contenu : {count} document(s) dans {SubsetFolder}, décrits par {SubsetFolder}{MetadataName}.
         Ouvrez INDEX.HTM pour la liste des documents.

         """).ReplaceLineEndings("\r\n");

    // ---- Reading ----

    private sealed class ReadBudget(long bytes)
    {
        public long Remaining { get; set; } = bytes;
    }

    // The end-of-central-directory record states the entry count: refuse a huge one before ZipArchive reads them all.
    private static void CheckDeclaredEntryCount(byte[] zip, XdmReadLimits limits)
    {
        var span = zip.AsSpan();
        var lowest = Math.Max(0, span.Length - 22 - ushort.MaxValue);
        for (var at = span.Length - 22; at >= lowest; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(span[at..]) == 0x06054B50)
            {
                var total = BinaryPrimitives.ReadUInt16LittleEndian(span[(at + 10)..]);
                if (total != ushort.MaxValue && total > limits.MaxEntries)
                {
                    throw TooManyEntries(total, limits);
                }
                return;
            }
        }
        throw new XdmArchiveException(XdmArchiveError.NotAnArchive, "La pièce jointe IHE_XDM.ZIP n'est pas une archive ZIP.");
    }

    private static XdmArchiveException TooManyEntries(int count, XdmReadLimits limits) =>
        new(XdmArchiveError.TooManyEntries,
            $"L'archive IHE_XDM contient trop de fichiers ({count}, pour un maximum de {limits.MaxEntries}) : elle est refusée.");

    private static Dictionary<string, ZipArchiveEntry> CheckEntries(ZipArchive archive, XdmReadLimits limits)
    {
        var all = archive.Entries;
        if (all.Count > limits.MaxEntries)
        {
            throw TooManyEntries(all.Count, limits);
        }
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
        long declared = 0;
        foreach (var entry in all)
        {
            var name = entry.FullName;
            if (!IsSafeRelativePath(name, limits.MaxEntryNameLength, allowTrailingSlash: true))
            {
                throw new XdmArchiveException(XdmArchiveError.UnsafeEntryName,
                    $"L'archive IHE_XDM contient un fichier au nom dangereux (« {FileNames.ForDisplay(name.Replace('/', '_').Replace('\\', '_'))} ») : elle est refusée.");
            }
            if (entry.IsEncrypted)
            {
                throw new XdmArchiveException(XdmArchiveError.EncryptedEntry, "L'archive IHE_XDM contient un fichier chiffré par mot de passe : elle est refusée.");
            }
            declared += entry.Length;
            if (entry.Length < 0 || declared > limits.MaxTotalUncompressedBytes)
            {
                throw new XdmArchiveException(XdmArchiveError.TooLarge,
                    $"L'archive IHE_XDM annonce plus de {AttachmentInspector.FormatSize(limits.MaxTotalUncompressedBytes)} une fois décompressée : elle est refusée.");
            }
            if (!entries.TryAdd(name.TrimEnd('/'), entry))
            {
                throw new XdmArchiveException(XdmArchiveError.DuplicateEntryName, "L'archive IHE_XDM contient deux fichiers du même nom : elle est refusée.");
            }
        }
        return entries;
    }

    /// <summary>A relative path that stays where it is put: '/'-separated, no '..' or '.', no drive, no backslash, no control.</summary>
    internal static bool IsSafeRelativePath(string path, int maxLength, bool allowTrailingSlash)
    {
        if (path.Length == 0 || path.Length > maxLength || path[0] == '/' || path.Contains('\\', StringComparison.Ordinal)
            || path.Contains(':', StringComparison.Ordinal) || path.Any(char.IsControl))
        {
            return false;
        }
        var body = allowTrailingSlash && path.EndsWith('/') ? path[..^1] : path;
        return body.Length > 0 && body.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != ".." && segment.Trim().Length > 0);
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, ReadBudget budget)
    {
        var declared = entry.Length;
        if (declared > budget.Remaining)
        {
            throw TooLarge();
        }
        using var stream = entry.Open();
        using var output = new MemoryStream((int)Math.Min(declared, 1 << 20));
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            total += read;
            // More than declared is a lie (a bomb hiding its size); more than the budget is too much either way.
            if (total > declared || total > budget.Remaining)
            {
                throw TooLarge();
            }
            output.Write(buffer, 0, read);
        }
        budget.Remaining -= total;
        return output.ToArray();

        static XdmArchiveException TooLarge() => new(XdmArchiveError.TooLarge,
            "L'archive IHE_XDM est trop volumineuse une fois décompressée, ou annonce une taille inexacte : elle est refusée.");
    }

    private static XElement ParseMetadata(byte[] bytes)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        XElement root;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(bytes, writable: false), settings);
            root = XElement.Load(reader);
        }
        catch (XmlException e)
        {
            throw InvalidMetadata("METADATA.XML n'est pas un document XML valide", e);
        }
        if (root.Name != Lcm + "SubmitObjectsRequest")
        {
            throw InvalidMetadata($"METADATA.XML ne contient pas de lcm:SubmitObjectsRequest (trouvé : {root.Name.LocalName})");
        }
        return root;
    }

    private static XdmArchiveException InvalidMetadata(string detail, Exception? inner = null) =>
        new(XdmArchiveError.InvalidMetadata, $"La description de l'archive IHE_XDM est invalide : {detail}.", inner);

    private static XdmSubmissionSet ReadSubmissionSet(XElement root)
    {
        var set = root.Descendants(Rim + "RegistryPackage").FirstOrDefault(p => Identifier(p, SetUniqueId) is not null)
            ?? throw InvalidMetadata("aucun lot de soumission (SubmissionSet)");
        return new XdmSubmissionSet(
            Identifier(set, SetUniqueId)!,
            Identifier(set, SetSourceId) ?? throw InvalidMetadata("le lot de soumission n'a pas de sourceId"),
            SlotValues(set, "submissionTime").FirstOrDefault() ?? throw InvalidMetadata("le lot de soumission n'a pas de submissionTime"),
            Identifier(set, SetPatientId),
            AuthorPersonOf(set, SetAuthor),
            Code(set, SetContentTypeCode));
    }

    private static XdmDocumentEntry ReadDocument(XElement extrinsic, string folder, Dictionary<string, ZipArchiveEntry> entries, ReadBudget budget)
    {
        var mimeType = (string?)extrinsic.Attribute("mimeType");
        var uri = SlotValues(extrinsic, "URI").FirstOrDefault();
        var uniqueId = Identifier(extrinsic, DocUniqueId);
        if (string.IsNullOrWhiteSpace(mimeType) || string.IsNullOrWhiteSpace(uri) || uniqueId is null)
        {
            throw InvalidMetadata("un document n'a pas de mimeType, d'URI ou d'uniqueId");
        }
        if (!IsSafeRelativePath(uri, 255, allowTrailingSlash: false))
        {
            throw new XdmArchiveException(XdmArchiveError.UnsafeEntryName,
                "La description de l'archive IHE_XDM désigne un document hors de son dossier : elle est refusée.");
        }
        var path = folder + uri;
        if (!entries.TryGetValue(path, out var entry))
        {
            throw new XdmArchiveException(XdmArchiveError.MissingDocument,
                $"L'archive IHE_XDM ne contient pas le document {FileNames.ForDisplay(uri.Replace('/', '_'))} qu'elle annonce.");
        }
        var content = ReadEntry(entry, budget);

        var hash = SlotValues(extrinsic, "hash").FirstOrDefault();
        var sizeText = SlotValues(extrinsic, "size").FirstOrDefault();
        long? size = null;
        if (sizeText is not null)
        {
            size = long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw InvalidMetadata("la taille d'un document n'est pas un nombre");
        }
        if ((size is { } s && s != content.Length)
            || (hash is not null && !string.Equals(hash, Convert.ToHexString(SHA1.HashData(content)), StringComparison.OrdinalIgnoreCase)))
        {
            throw new XdmArchiveException(XdmArchiveError.IntegrityMismatch,
                "Un document de l'archive IHE_XDM ne correspond pas à sa description (taille ou empreinte) : l'archive est refusée.");
        }

        return new XdmDocumentEntry
        {
            Path = entry.FullName,
            MediaType = mimeType,
            Content = content,
            UniqueId = uniqueId,
            Title = (string?)extrinsic.Element(Rim + "Name")?.Element(Rim + "LocalizedString")?.Attribute("value"),
            Hash = hash,
            Size = size,
            PatientId = Identifier(extrinsic, DocPatientId),
            SourcePatientId = SlotValues(extrinsic, "sourcePatientId").FirstOrDefault(),
            SourcePatientInfo = SlotValues(extrinsic, "sourcePatientInfo"),
            CreationTime = SlotValues(extrinsic, "creationTime").FirstOrDefault(),
            LanguageCode = SlotValues(extrinsic, "languageCode").FirstOrDefault(),
            AuthorPerson = AuthorPersonOf(extrinsic, DocAuthor),
            ClassCode = Code(extrinsic, DocClassCode),
            TypeCode = Code(extrinsic, DocTypeCode),
            FormatCode = Code(extrinsic, DocFormatCode),
            ConfidentialityCode = Code(extrinsic, DocConfidentialityCode),
        };
    }

    private static List<string> SlotValues(XElement owner, string name) =>
        owner.Elements(Rim + "Slot")
            .Where(s => (string?)s.Attribute("name") == name)
            .SelectMany(s => s.Elements(Rim + "ValueList").Elements(Rim + "Value"))
            .Select(v => v.Value)
            .ToList();

    private static string? Identifier(XElement owner, string scheme) =>
        (string?)owner.Elements(Rim + "ExternalIdentifier")
            .FirstOrDefault(e => (string?)e.Attribute("identificationScheme") == scheme)?.Attribute("value");

    private static XElement? Classification(XElement owner, string scheme) =>
        owner.Elements(Rim + "Classification").FirstOrDefault(c => (string?)c.Attribute("classificationScheme") == scheme);

    private static XdmCode? Code(XElement owner, string scheme) =>
        Classification(owner, scheme) is { } c
            ? new XdmCode((string?)c.Attribute("nodeRepresentation") ?? "", SlotValues(c, "codingScheme").FirstOrDefault() ?? "",
                (string?)c.Element(Rim + "Name")?.Element(Rim + "LocalizedString")?.Attribute("value") ?? "")
            : null;

    private static string? AuthorPersonOf(XElement owner, string scheme) =>
        Classification(owner, scheme) is { } c ? SlotValues(c, "authorPerson").FirstOrDefault() : null;
}
