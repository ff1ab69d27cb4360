using System.Text;
using MiSS.Core.PractitionerDirectory;

namespace MiSS.Core.Tests.PractitionerDirectory;

/// <summary>Rows of the MSSanté extraction with its real 31-column layout, for the importer's and the refresher's tests.</summary>
public static class ExtractionRows
{
    /// <summary>The header line, as ANS names the columns.</summary>
    public static readonly string Header = string.Join('|', MssanteExtractionImporter.Columns);

    /// <summary>One row: a mailbox, its holder and place.</summary>
    public static string Row(string type, string address, string family, string given, string profession = "Médecin", string specialty = "",
        string rpps = "10101234564", string city = "PARIS", string postcode = "75011", string organisation = "")
    {
        var f = new string[31];
        Array.Fill(f, "");
        f[0] = type; f[1] = address; f[2] = rpps.Length > 0 ? "8" : ""; f[3] = rpps; f[4] = rpps.Length > 0 ? "8" + rpps : "";
        f[9] = family; f[10] = given; f[14] = profession; f[16] = specialty; f[18] = organisation;
        f[27] = $"{postcode} {city}"; f[28] = postcode; f[30] = "FRANCE";
        return string.Join('|', f);
    }

    /// <summary>A whole file: the header, then <paramref name="rows"/>, UTF-8.</summary>
    public static byte[] Extraction(params string[] rows) => Encoding.UTF8.GetBytes(string.Join('\n', [Header, .. rows]) + "\n");
}
