using System.Globalization;
using System.Text;
using MiSS.Core.Secure;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>An entry of the directory, as the API shows it.</summary>
public sealed record DirectoryEntry(string Address, string DisplayName, string? Profession, string? Specialty, string? City, string? Rpps,
    string MailboxType);

/// <summary>
/// The correspondents this instance can write to securely: the certificates of the configured folder (the dev PKI's, or
/// certificates imported by hand), searched by name, address or RPPS, accent- and case-insensitive. The national
/// directory (issue 8) replaces it as the source; the search contract stays.
/// </summary>
public sealed class CertificateDirectory(string? certificatesDirectory, string self)
{
    /// <summary>At most this many results.</summary>
    public const int MaxResults = 20;

    /// <summary>Entries whose name, address or RPPS contains every word of <paramref name="query"/>.</summary>
    public IReadOnlyList<DirectoryEntry> Search(string query)
    {
        var words = Normalize(query).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Entries()
            .Where(e => words.All(w => Normalize($"{e.DisplayName} {e.Address} {e.Rpps}").Contains(w, StringComparison.Ordinal)))
            .OrderBy(e => e.DisplayName, StringComparer.Create(CultureInfo.GetCultureInfo("fr-FR"), ignoreCase: true))
            .Take(MaxResults)
            .ToList();
    }

    IEnumerable<DirectoryEntry> Entries()
    {
        foreach (var certificate in CertificateFolder.Read(certificatesDirectory))
        {
            using (certificate)
            {
                var identity = PractitionerIdentity.FromCertificate(certificate);
                foreach (var address in identity.Mailboxes.Where(m => !m.Equals(self, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return new DirectoryEntry(address, identity.DisplayName, null, null, null, identity.Rpps, "personnelle");
                }
            }
        }
    }

    /// <summary>Lowercase, without accents, letters and digits kept, everything else a space.</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            builder.Append(char.IsLetterOrDigit(c) || c is '@' or '.' ? char.ToLowerInvariant(c) : ' ');
        }
        return builder.ToString();
    }
}
