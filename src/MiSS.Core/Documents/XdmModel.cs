using System.Text.RegularExpressions;
using MiSS.Core.Secure;

namespace MiSS.Core.Documents;

/// <summary>A coded value of XDS metadata: the code, the OID of its coding scheme, and a display name.</summary>
public sealed record XdmCode(string Code, string CodingScheme, string DisplayName);

/// <summary>The codes MiSS puts in XDM metadata (see the folder's README for why these).</summary>
public static class XdmCodes
{
    /// <summary>The OID under which MiSS names its own things: 2.25 (ITU-T X.667) + a UUID chosen once for MiSS.</summary>
    public const string MissRootOid = "2.25.185687167793368355001486661439673422974";

    /// <summary>The default sourceId of the submissions MiSS creates; an installation with a registered OID passes its own.</summary>
    public const string DefaultSourceId = MissRootOid + ".1";

    /// <summary>MiSS's local code system, for generic class, type and content type codes.</summary>
    public const string MissCodeSystem = MissRootOid + ".2";

    /// <summary>LOINC.</summary>
    public const string Loinc = "2.16.840.1.113883.6.1";

    /// <summary>IHE format codes (1.3.6.1.4.1.19376.1.2.3).</summary>
    public const string IheFormatCodes = "1.3.6.1.4.1.19376.1.2.3";

    /// <summary>PDF (the IHE XDS-SD PDF format code).</summary>
    public static readonly XdmCode FormatPdf = new("urn:ihe:iti:xds-sd:pdf:2008", IheFormatCodes, "PDF");

    /// <summary>The IHE format code for a document whose media type says all (images, plain text).</summary>
    public static readonly XdmCode FormatMimeTypeSufficient = new("urn:ihe:iti:xds:2017:mimeTypeSufficient", IheFormatCodes, "Format défini par le type MIME");

    /// <summary>Confidentiality N (normal), HL7 v3 Confidentiality.</summary>
    public static readonly XdmCode ConfidentialityNormal = new("N", "2.16.840.1.113883.5.25", "Normal");

    /// <summary>LOINC 11502-2, laboratory report.</summary>
    public static readonly XdmCode LaboratoryReport = new("11502-2", Loinc, "Compte rendu d'examens biologiques");

    /// <summary>LOINC 18748-4, diagnostic imaging study (imaging report).</summary>
    public static readonly XdmCode ImagingReport = new("18748-4", Loinc, "Compte rendu d'imagerie médicale");

    /// <summary>LOINC 11488-4, consult note.</summary>
    public static readonly XdmCode ConsultNote = new("11488-4", Loinc, "Compte rendu de consultation");

    /// <summary>The generic code used when the kind of document is not known (type, class and content type).</summary>
    public static readonly XdmCode GenericDocument = new("MISS-DOCUMENT", MissCodeSystem, "Document transmis par messagerie sécurisée");

    /// <summary>The format code MiSS gives a media type.</summary>
    public static XdmCode FormatFor(string mediaType) =>
        FileTypes.Pdf.HasMediaType(mediaType) ? FormatPdf : FormatMimeTypeSufficient;
}

/// <summary>
/// The author of the documents, as XDS metadata names a practitioner: the national id (<c>8</c> + RPPS, or
/// <c>0</c> + ADELI) under the OID <see cref="NationalIdOid"/>, the names, and optionally the MSSanté mailbox and
/// the institution.
/// </summary>
public sealed partial record XdmAuthor
{
    /// <summary>The OID of national practitioner ids (idNatPs).</summary>
    public const string NationalIdOid = "1.2.250.1.71.4.2.1";

    /// <summary>Creates an author; the national id must be <c>8</c> + 11 digits (RPPS) or <c>0</c> + 9 digits (ADELI).</summary>
    public XdmAuthor(string nationalId, string familyName, string givenName, string? mailbox = null, string? institutionName = null)
    {
        ArgumentNullException.ThrowIfNull(nationalId);
        if (!NationalIdPattern().IsMatch(nationalId))
        {
            throw new ArgumentException("A national practitioner id is 8 + RPPS (11 digits) or 0 + ADELI (9 digits).", nameof(nationalId));
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(familyName);
        ArgumentException.ThrowIfNullOrWhiteSpace(givenName);
        NationalId = nationalId;
        FamilyName = familyName;
        GivenName = givenName;
        Mailbox = mailbox;
        InstitutionName = institutionName;
    }

    /// <summary>idNatPs: <c>8</c> + RPPS or <c>0</c> + ADELI.</summary>
    public string NationalId { get; }

    /// <summary>Family name.</summary>
    public string FamilyName { get; }

    /// <summary>Given name.</summary>
    public string GivenName { get; }

    /// <summary>The author's MSSanté address, if any.</summary>
    public string? Mailbox { get; }

    /// <summary>The author's institution or practice, if any.</summary>
    public string? InstitutionName { get; }

    /// <summary>An author from a personal RPPS number (11 digits).</summary>
    public static XdmAuthor FromRpps(string rpps, string familyName, string givenName, string? mailbox = null) =>
        new("8" + rpps, familyName, givenName, mailbox);

    /// <summary>The author a practitioner certificate names (it must carry the national id and both names).</summary>
    public static XdmAuthor FromIdentity(PractitionerIdentity identity, string? mailbox = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new XdmAuthor(
            identity.NationalId ?? throw new ArgumentException("The identity has no national practitioner id.", nameof(identity)),
            identity.FamilyName ?? throw new ArgumentException("The identity has no family name.", nameof(identity)),
            identity.GivenName ?? throw new ArgumentException("The identity has no given name.", nameof(identity)),
            mailbox ?? identity.Mailboxes.FirstOrDefault());
    }

    [GeneratedRegex(@"^(8\d{11}|0\d{9})$", RegexOptions.CultureInvariant)]
    private static partial Regex NationalIdPattern();
}

/// <summary>A document to put in an XDM archive, with optional codes (the generic ones otherwise).</summary>
/// <param name="FileName">The name the sender gave the file; it becomes the document's title (made safe).</param>
/// <param name="MediaType">The document's media type; the content must sniff as this type.</param>
/// <param name="Content">The document's bytes.</param>
public sealed record XdmDocument(string FileName, string MediaType, byte[] Content)
{
    /// <summary>typeCode: a LOINC code when the kind is known (<see cref="XdmCodes.LaboratoryReport"/>…); generic otherwise.</summary>
    public XdmCode? TypeCode { get; init; }

    /// <summary>classCode; generic when null.</summary>
    public XdmCode? ClassCode { get; init; }
}

/// <summary>The submission set of an XDM archive as read.</summary>
/// <param name="UniqueId">The submission set's uniqueId (an OID).</param>
/// <param name="SourceId">The sourceId (the OID of the creating system).</param>
/// <param name="SubmissionTime">submissionTime, HL7 DTM in UTC (yyyyMMddHHmmss).</param>
/// <param name="PatientId">The patientId (CX), or null when absent.</param>
/// <param name="AuthorPerson">authorPerson (XCN), or null.</param>
/// <param name="ContentTypeCode">contentTypeCode, or null.</param>
public sealed record XdmSubmissionSet(string UniqueId, string SourceId, string SubmissionTime, string? PatientId, string? AuthorPerson, XdmCode? ContentTypeCode);

/// <summary>A document of an XDM archive as read, its integrity checked against the metadata.</summary>
public sealed record XdmDocumentEntry
{
    /// <summary>Path of the document inside the archive ("IHE_XDM/SUBSET01/DOC0001.PDF").</summary>
    public required string Path { get; init; }

    /// <summary>The mimeType the metadata declares (to be checked by <see cref="AttachmentInspector"/> before use).</summary>
    public required string MediaType { get; init; }

    /// <summary>The document's bytes.</summary>
    public required byte[] Content { get; init; }

    /// <summary>The document's uniqueId.</summary>
    public required string UniqueId { get; init; }

    /// <summary>The title (rim:Name), or null.</summary>
    public string? Title { get; init; }

    /// <summary>SHA-1 of the content as the metadata gives it (hex), or null when absent.</summary>
    public string? Hash { get; init; }

    /// <summary>Size as the metadata gives it, or null when absent.</summary>
    public long? Size { get; init; }

    /// <summary>patientId (CX), or null.</summary>
    public string? PatientId { get; init; }

    /// <summary>sourcePatientId (CX), or null.</summary>
    public string? SourcePatientId { get; init; }

    /// <summary>sourcePatientInfo values ("PID-5|…", "PID-7|…").</summary>
    public IReadOnlyList<string> SourcePatientInfo { get; init; } = [];

    /// <summary>creationTime (HL7 DTM), or null.</summary>
    public string? CreationTime { get; init; }

    /// <summary>languageCode, or null.</summary>
    public string? LanguageCode { get; init; }

    /// <summary>authorPerson (XCN), or null.</summary>
    public string? AuthorPerson { get; init; }

    /// <summary>classCode, or null.</summary>
    public XdmCode? ClassCode { get; init; }

    /// <summary>typeCode, or null.</summary>
    public XdmCode? TypeCode { get; init; }

    /// <summary>formatCode, or null.</summary>
    public XdmCode? FormatCode { get; init; }

    /// <summary>confidentialityCode, or null.</summary>
    public XdmCode? ConfidentialityCode { get; init; }
}

/// <summary>What <see cref="XdmPackage.Read"/> found: the submission sets and every document they describe.</summary>
public sealed record XdmContents(IReadOnlyList<XdmSubmissionSet> SubmissionSets, IReadOnlyList<XdmDocumentEntry> Documents);

/// <summary>Bounds <see cref="XdmPackage.Read"/> applies to an archive before and while it decompresses it.</summary>
public sealed record XdmReadLimits
{
    /// <summary>The defaults: 1,000 entries, 100 MiB uncompressed in all, names of at most 255 characters.</summary>
    public static readonly XdmReadLimits Default = new();

    /// <summary>Most entries (files and directories) in the archive.</summary>
    public int MaxEntries { get; init; } = 1000;

    /// <summary>Most bytes once decompressed, all entries together (declared and actually read).</summary>
    public long MaxTotalUncompressedBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Longest entry name.</summary>
    public int MaxEntryNameLength { get; init; } = 255;
}

/// <summary>Why an XDM archive was refused.</summary>
public enum XdmArchiveError
{
    /// <summary>Not a readable ZIP archive.</summary>
    NotAnArchive,

    /// <summary>A ZIP whose data is damaged (bad compressed data, checksum).</summary>
    Corrupt,

    /// <summary>More entries than <see cref="XdmReadLimits.MaxEntries"/>.</summary>
    TooManyEntries,

    /// <summary>More uncompressed bytes than allowed, declared or found while decompressing (zip bomb).</summary>
    TooLarge,

    /// <summary>An entry name or a document URI that could leave its folder (.., absolute, drive, backslash, control).</summary>
    UnsafeEntryName,

    /// <summary>Two entries with the same name (ignoring case).</summary>
    DuplicateEntryName,

    /// <summary>An encrypted entry.</summary>
    EncryptedEntry,

    /// <summary>No IHE_XDM/&lt;subset&gt;/METADATA.XML.</summary>
    MissingMetadata,

    /// <summary>METADATA.XML is not well-formed or not XDS metadata.</summary>
    InvalidMetadata,

    /// <summary>The metadata names a document the archive lacks.</summary>
    MissingDocument,

    /// <summary>A document's size or SHA-1 differs from the metadata.</summary>
    IntegrityMismatch,
}

/// <summary>An XDM archive refused, with a French message for the user and an <see cref="Error"/> for code.</summary>
public sealed class XdmArchiveException : Exception
{
    /// <summary>Creates the exception.</summary>
    public XdmArchiveException(XdmArchiveError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    /// <summary>Why, for code.</summary>
    public XdmArchiveError Error { get; }
}
