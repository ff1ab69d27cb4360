using System.Globalization;
using System.Text;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>
/// Writes a synthetic MSSanté extraction with the real layout (31 '|'-separated columns, UTF-8), French names,
/// professions and cities, a share of duplicate addresses and of bad rows: the national file is not public in
/// full, and the importer, its tests and its benchmark need a national-size one. Deterministic for a given seed.
/// </summary>
public static class ExtractionSample
{
    static readonly string[] Families =
    [
        "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT", "SIMON", "MICHEL",
        "LEFÈVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE",
        "ROUSSEAU", "VINCENT", "MÜLLER", "LEFEBVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER", "CHEVALIER",
        "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT", "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU",
        "GAUTIER", "MASSON", "MARCHAND", "DUVAL", "DENIS", "DUMONT", "MARIE", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER",
        "BRUN", "BLANCHARD", "GIRAUD", "JOLY", "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER", "ARNAUD", "MARTÍNEZ", "GÉRARD",
        "ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN", "VIDAL", "CARON", "PICARD", "ROGER", "FABRE", "AUBERT", "LEMOINE",
        "RENAUD", "DUMAS", "LACROIX", "OLIVIER", "PHILIPPE", "BOURGEOIS", "PIERRE", "BENOÎT", "REY", "LECLERC", "PAYET", "ROLLAND",
        "LE GALL", "LE ROUX", "CHÂTELIER", "DE LA FONTAINE", "HÉBERT", "N'DIAYE", "NGUYEN", "BENSAÏD", "CORDIER", "ÉTIENNE",
    ];

    static readonly string[] Givens =
    [
        "Jean", "Marie", "Pierre", "Sophie", "Julien", "Claire", "Nicolas", "Camille", "Thomas", "Léa", "François", "Hélène",
        "Stéphane", "Élodie", "Jérôme", "Céline", "Frédéric", "Amélie", "Sébastien", "Émilie", "Jean-Marie", "Marie-Hélène",
        "Benoît", "Chloé", "Grégoire", "Inès", "Noël", "Zoé", "Loïc", "Anaïs", "Hervé", "Maëlle", "Rémi", "Océane", "Joël", "Agnès",
        "Philippe", "Isabelle", "Laurent", "Nathalie", "David", "Sandrine", "Olivier", "Valérie", "Antoine", "Aurélie", "Mathieu", "Lucie",
    ];

    static readonly (string Category, string CategoryLabel, string Code, string Label, string[] Specialties, int Weight)[] Professions =
    [
        ("C", "Civil", "10", "Médecin", ["Médecine générale", "Cardiologie et maladies vasculaires", "Pédiatrie", "Psychiatrie",
            "Gynécologie-obstétrique", "Radio-diagnostic", "Anesthésie-réanimation", "Dermatologie et vénéréologie", "Ophtalmologie",
            "Gériatrie", "Néphrologie", "Oto-rhino-laryngologie"], 40),
        ("C", "Civil", "60", "Infirmier", [], 25),
        ("C", "Civil", "21", "Pharmacien", [], 10),
        ("C", "Civil", "40", "Chirurgien-Dentiste", ["Orthopédie dento-faciale", "Chirurgie orale"], 7),
        ("C", "Civil", "50", "Sage-Femme", [], 5),
        ("C", "Civil", "70", "Masseur-Kinésithérapeute", [], 10),
        ("C", "Civil", "80", "Pédicure-Podologue", [], 3),
    ];

    static readonly (string City, string Postcode)[] Cities =
    [
        ("PARIS", "75011"), ("PARIS", "75015"), ("PARIS", "75018"), ("MARSEILLE", "13008"), ("LYON", "69003"), ("TOULOUSE", "31000"),
        ("NICE", "06000"), ("NANTES", "44000"), ("MONTPELLIER", "34000"), ("STRASBOURG", "67000"), ("BORDEAUX", "33000"),
        ("LILLE", "59000"), ("RENNES", "35000"), ("REIMS", "51100"), ("SAINT-ÉTIENNE", "42000"), ("LE HAVRE", "76600"),
        ("TOULON", "83000"), ("GRENOBLE", "38000"), ("DIJON", "21000"), ("ANGERS", "49000"), ("NÎMES", "30000"), ("CLERMONT-FERRAND", "63000"),
        ("LE MANS", "72000"), ("AIX-EN-PROVENCE", "13100"), ("BREST", "29200"), ("TOURS", "37000"), ("AMIENS", "80000"), ("LIMOGES", "87000"),
        ("PERPIGNAN", "66000"), ("BESANÇON", "25000"), ("ORLÉANS", "45000"), ("ROUEN", "76000"), ("CAEN", "14000"), ("NANCY", "54000"),
        ("NEVERS", "58000"), ("CLAMART", "92140"), ("AJACCIO", "20000"), ("SAINT-DENIS", "97400"), ("QUIMPER", "29000"), ("PAU", "64000"),
    ];

    static readonly string[] Domains = ["medecin.mssante.fr", "infirmier.mssante.fr", "pharmacien.mssante.fr", "pro.mssante.fr", "ch-exemple.mssante.fr"];
    static readonly string[] Streets = ["RUE", "AV", "BD", "PL", "CHE", "ALL"];
    static readonly string[] StreetNames = ["DE LA RÉPUBLIQUE", "VICTOR HUGO", "JEAN JAURÈS", "DES LILAS", "PASTEUR", "DU GÉNÉRAL DE GAULLE", "HENRI BARBUSSE"];

    /// <summary>What a sample holds, so that a test can check an import against it.</summary>
    public sealed record Summary(int Rows, int Distinct, int Duplicates, IReadOnlyList<long> BadLines);

    /// <summary>
    /// Writes <paramref name="rows"/> data rows to <paramref name="path"/>: about 1 in 200 repeats an earlier address
    /// (with changed details, the later should win), about 1 in 1000 is bad (missing address, wrong column count,
    /// unknown mailbox type, malformed RPPS).
    /// </summary>
    public static Summary Write(string path, int rows, int seed = 8, CancellationToken ct = default)
    {
        var random = new Random(seed);
        var addresses = new List<string>(rows);
        var bad = new List<long>();
        var duplicates = 0;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine(string.Join('|', MssanteExtractionImporter.Columns));
        var fields = new string[31];
        for (var row = 0; row < rows; row++)
        {
            if (row % 10_000 == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
            var line = row + 2L;
            Array.Fill(fields, "");
            var family = Families[random.Next(Families.Length)];
            var given = Givens[random.Next(Givens.Length)];
            var (category, categoryLabel, code, label, specialties, _) = PickProfession(random);
            var (city, postcode) = Cities[random.Next(Cities.Length)];
            var rpps = (10_000_000_000L + row * 7L + random.Next(7)).ToString(CultureInfo.InvariantCulture);
            var kind = random.Next(100);
            string address;
            if (row > 10 && random.Next(200) == 0)
            {
                address = addresses[random.Next(addresses.Count)]; // a duplicate: last wins
                duplicates++;
            }
            else
            {
                address = kind < 90
                    ? $"{Ascii(given)}.{Ascii(family)}.{row.ToString(CultureInfo.InvariantCulture)}@{Domains[random.Next(Domains.Length)]}"
                    : $"secretariat.{row.ToString(CultureInfo.InvariantCulture)}@{Domains[4]}";
                addresses.Add(address);
            }
            var type = kind < 90 ? "PER" : kind < 96 ? "ORG" : kind < 98 ? "CAB" : "APP";
            fields[0] = type;
            fields[1] = address;
            if (type is "PER" or "CAB")
            {
                fields[2] = "8";
                fields[3] = rpps;
                fields[4] = "8" + rpps;
                fields[8] = random.Next(3) == 0 ? "DR" : random.Next(2) == 0 ? "M" : "MME";
                fields[9] = family;
                fields[10] = given;
                fields[11] = category;
                fields[12] = categoryLabel;
                fields[13] = code;
                fields[14] = label;
                if (specialties.Length > 0)
                {
                    fields[15] = "SM" + random.Next(10, 99).ToString(CultureInfo.InvariantCulture);
                    fields[16] = specialties[random.Next(specialties.Length)];
                }
            }
            else
            {
                fields[7] = random.Next(2) == 0 ? "Service de cardiologie" : "Secrétariat médical";
            }
            fields[5] = "1";
            fields[6] = "1" + random.Next(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
            fields[17] = "O";
            fields[18] = type == "PER" ? $"CABINET DU DR {family}" : $"CENTRE HOSPITALIER DE {city}";
            fields[22] = random.Next(1, 200).ToString(CultureInfo.InvariantCulture);
            fields[24] = Streets[random.Next(Streets.Length)];
            fields[25] = StreetNames[random.Next(StreetNames.Length)];
            fields[27] = $"{postcode} {city}";
            fields[28] = postcode;
            fields[29] = postcode[..2];
            fields[30] = "FRANCE";
            var text = string.Join('|', fields);
            if (row > 10 && random.Next(1000) == 0)
            {
                bad.Add(line);
                text = random.Next(4) switch
                {
                    0 => text.Replace(address, "", StringComparison.Ordinal),                 // no address
                    1 => text[..text.LastIndexOf('|')],                                     // a column short
                    2 => "XYZ" + text[type.Length..],                                        // unknown mailbox type
                    _ => type == "PER" ? text.Replace(rpps, "12AB", StringComparison.Ordinal) : text[..text.LastIndexOf('|')],
                };
                if (addresses.Count > 0 && addresses[^1] == address)
                {
                    addresses.RemoveAt(addresses.Count - 1);
                }
                else
                {
                    duplicates--;
                }
            }
            writer.WriteLine(text);
        }
        return new Summary(rows, rows - bad.Count - duplicates, duplicates, bad);
    }

    static (string, string, string, string, string[], int) PickProfession(Random random)
    {
        var total = Professions.Sum(p => p.Weight);
        var pick = random.Next(total);
        foreach (var profession in Professions)
        {
            if ((pick -= profession.Weight) < 0)
            {
                return profession;
            }
        }
        return Professions[0];
    }

    /// <summary>A name as an address part: lowercase ASCII letters, accents removed.</summary>
    static string Ascii(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetter(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (c is ' ' or '-')
            {
                builder.Append('-');
            }
        }
        return builder.ToString();
    }
}
