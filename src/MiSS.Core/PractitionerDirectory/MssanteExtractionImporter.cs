using System.Diagnostics;
using System.Text;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>
/// Imports the MSSanté bulk extraction ("Extraction_Correspondance_MSSante": UTF-8, '|'-separated, one header line,
/// 31 columns) into the <see cref="DirectoryStore"/>. The file is read line by line (the national file holds several
/// hundred thousand rows and is never loaded whole), its header checked against the published column names, written in
/// one transaction; a repeated address keeps its last row and is counted, a malformed row is reported with its line
/// number and a French reason and the import goes on.
/// </summary>
public sealed class MssanteExtractionImporter(DirectoryStore store)
{
    /// <summary>The source name of the rows this importer writes: a new import replaces them.</summary>
    public const string Source = "mssante";

    /// <summary>The 31 columns of the extraction, in order, as ANS names them.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "Type de BAL", "Adresse BAL", "Type Identifiant PP", "Identifiant PP", "Identification nationale PP",
        "Type identifiant structure", "Identification Structure", "Service de rattachement", "Civilité d'exercice",
        "Nom d'exercice", "Prénom d'exercice", "Catégorie profession", "Libellé de catégorie profession", "Code Profession",
        "Libellé Profession", "Code savoir-faire", "Libellé savoir-faire", "Dématérialisation", "Raison Sociale structure BAL",
        "Enseigne commerciale structure BAL", "L2COMPLEMENTLOCALISATION", "L3COMPLEMENTDISTRIBUTION", "L4NUMEROVOIE",
        "L4COMPLEMENTNUMEROVOIE", "NL4TYPEVOIE", "L4LIBELLEVOIE", "L5LIEUDITMENTION", "L6LIGNEACHEMINEMENT", "Code postal",
        "Département", "Pays",
    ];

    const int TypeBal = 0, Address = 1, IdType = 2, Id = 3, NationalId = 4, Service = 7, Civility = 8, Family = 9, Given = 10,
        Profession = 14, Specialty = 16, RaisonSociale = 18, Enseigne = 19, Routing = 27, Postcode = 28;

    /// <summary>How often the progress callback is called, in lines.</summary>
    public const int ProgressInterval = 10_000;

    /// <summary>Imports the file at <paramref name="path"/>.</summary>
    public async Task<DirectoryImportResult> ImportAsync(string path, Action<DirectoryImportProgress>? progress = null, CancellationToken ct = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return await ImportAsync(stream, progress, ct);
    }

    /// <summary>
    /// Imports the extraction read from <paramref name="stream"/>; throws <see cref="InvalidDataException"/> (French
    /// message) when the header is not the extraction's, before anything is written, or when <paramref name="check"/>
    /// refuses the result (<see cref="InvalidDataException"/>, nothing written either).
    /// </summary>
    public async Task<DirectoryImportResult> ImportAsync(Stream stream, Action<DirectoryImportProgress>? progress = null, CancellationToken ct = default,
        DirectoryImportCheck? check = null)
    {
        var watch = Stopwatch.StartNew();
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, 1 << 16);
        var header = await reader.ReadLineAsync(ct) ?? throw new InvalidDataException("fichier vide : l'en-tête de l'extraction MSSanté manque");
        CheckHeader(header);
        var rejected = new List<DirectoryRejection>();
        long duplicates = 0, line = 1;
        await using var session = await store.BeginImportAsync(Source, replace: true, ct);
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (line % 1000 == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
            if (line % ProgressInterval == 0)
            {
                progress?.Invoke(new DirectoryImportProgress(line, session.Imported));
            }
            if (text.Length == 0)
            {
                continue;
            }
            var (record, reason) = Parse(text);
            if (record is null)
            {
                rejected.Add(new DirectoryRejection(line, reason!));
            }
            else if (!session.Add(record))
            {
                duplicates++;
            }
        }
        var result = new DirectoryImportResult(session.Imported, duplicates, rejected, watch.Elapsed);
        session.Complete(result, check);
        progress?.Invoke(new DirectoryImportProgress(line, session.Imported));
        return result;
    }

    static void CheckHeader(string header)
    {
        var names = header.TrimStart('\uFEFF').Split('|');
        var count = names.Length == Columns.Count + 1 && names[^1].Trim().Length == 0 ? Columns.Count : names.Length;
        if (count != Columns.Count)
        {
            throw new InvalidDataException($"en-tête inattendu : {names.Length} colonnes au lieu des {Columns.Count} de l'extraction MSSanté (séparateur « | »)");
        }
        for (var i = 0; i < Columns.Count; i++)
        {
            if (!string.Equals(names[i].Trim(), Columns[i], StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"en-tête inattendu : colonne {i + 1} « {names[i].Trim()} » au lieu de « {Columns[i]} »");
            }
        }
    }

    /// <summary>A row as a record, or the French reason it is refused.</summary>
    static (DirectoryRecord? Record, string? Reason) Parse(string text)
    {
        var fields = text.Split('|');
        if (fields.Length == Columns.Count + 1 && fields[^1].Length == 0)
        {
            Array.Resize(ref fields, Columns.Count);
        }
        if (fields.Length != Columns.Count)
        {
            return (null, $"{fields.Length} colonnes au lieu de {Columns.Count}");
        }
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = fields[i].Trim();
        }
        var address = fields[Address];
        if (address.Length == 0)
        {
            return (null, "adresse BAL absente");
        }
        var at = address.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != address.LastIndexOf('@') || at == address.Length - 1 || !address[(at + 1)..].Contains('.', StringComparison.Ordinal)
            || address.Any(char.IsWhiteSpace))
        {
            return (null, $"adresse BAL invalide « {address} »");
        }
        if (DirectoryStore.MailboxTypeFromCode(fields[TypeBal]) is not { } type)
        {
            return (null, fields[TypeBal].Length == 0 ? "type de BAL absent" : $"type de BAL inconnu « {fields[TypeBal]} » (PER, ORG, APP ou CAB attendu)");
        }
        var family = Empty(fields[Family]);
        var given = Empty(fields[Given]);
        if (type == "personnelle" && family is null)
        {
            return (null, "BAL personnelle sans nom d'exercice");
        }
        string? rpps = null;
        if (fields[IdType] == "8" && fields[Id].Length > 0)
        {
            if (fields[Id].Length != 11 || !fields[Id].All(char.IsAsciiDigit))
            {
                return (null, $"identifiant RPPS invalide « {fields[Id]} » (11 chiffres attendus)");
            }
            rpps = fields[Id];
        }
        var organisation = Empty(fields[RaisonSociale]) ?? Empty(fields[Enseigne]);
        var service = Empty(fields[Service]);
        var person = string.Join(' ', new[] { given, family }.Where(p => p is not null));
        var displayName = person.Length > 0 ? person : service is not null && organisation is not null ? $"{service} — {organisation}"
            : service ?? organisation ?? address;
        var postcode = Empty(fields[Postcode]);
        var city = City(fields[Routing], postcode);
        return (new DirectoryRecord(address, type, displayName, Empty(fields[Civility]), family, given, rpps, Empty(fields[NationalId]),
            Empty(fields[Profession]), Empty(fields[Specialty]), organisation, service, city, postcode), null);
    }

    static string? Empty(string value) => value.Length == 0 ? null : value;

    /// <summary>The city from the routing line "75011 PARIS" (its postcode dropped).</summary>
    static string? City(string routing, string? postcode)
    {
        if (routing.Length == 0)
        {
            return null;
        }
        var space = routing.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && routing[..space].All(char.IsAsciiDigit) ? routing[(space + 1)..].Trim() : routing;
    }
}
