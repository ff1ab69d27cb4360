using MiSS.Core.Messaging;
using MiSS.Core.Secure;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>
/// Compares the identity in a verified signer's certificate with the directory entry of the sender address. The RPPS
/// decides when both sides have one; otherwise the names, folded (case, accents, hyphens and word order ignored). A
/// mismatch does not make the signature less valid: it is shown to the practitioner, who decides.
/// </summary>
public static class SignerDirectoryCheck
{
    /// <summary>The outcome for <paramref name="signer"/> against <paramref name="entry"/> (null: not in the directory).</summary>
    public static DirectoryCheck Compare(PractitionerIdentity signer, DirectoryPerson? entry)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (entry is null)
        {
            return new DirectoryCheck(DirectoryCheckStatus.Absent, "adresse absente de l'annuaire");
        }
        var directoryName = PersonName(entry.GivenName, entry.FamilyName);
        if (signer.Rpps is { } signerRpps && entry.Rpps is { } directoryRpps)
        {
            return signerRpps == directoryRpps
                ? new DirectoryCheck(DirectoryCheckStatus.Match, $"RPPS {directoryRpps} conforme à l'annuaire")
                : new DirectoryCheck(DirectoryCheckStatus.Mismatch,
                    $"certificat de {signer.DisplayName} (RPPS {signerRpps}), annuaire : {directoryName ?? entry.DisplayName} (RPPS {directoryRpps})");
        }
        if (directoryName is null)
        {
            // An organisation's or an application's mailbox: no person to compare the signer with.
            return new DirectoryCheck(DirectoryCheckStatus.Absent, $"l'annuaire ne nomme pas de personne pour cette adresse ({entry.DisplayName})");
        }
        var signerName = PersonName(signer.GivenName, signer.FamilyName) ?? signer.DisplayName;
        return Folded(signerName) == Folded(directoryName)
            ? new DirectoryCheck(DirectoryCheckStatus.Match, "nom conforme à l'annuaire")
            : new DirectoryCheck(DirectoryCheckStatus.Mismatch, $"certificat de {signerName}, annuaire : {directoryName}");
    }

    static string? PersonName(string? given, string? family) =>
        string.IsNullOrWhiteSpace(family) ? null : string.Join(' ', new[] { given, family }.Where(p => !string.IsNullOrWhiteSpace(p)));

    /// <summary>The name's words without case or accents, hyphens splitting them, in alphabetical order.</summary>
    public static string Folded(string name) => string.Join(' ', DirectoryStore.Words(name).Order(StringComparer.Ordinal));
}
