namespace MiSS.DevEnvironment;

/// <summary>A practitioner of the development directory: a mailbox on the local mail server and an S/MIME certificate.</summary>
/// <param name="Id">Short name used for file names and demo instances (the mailbox's local part).</param>
/// <param name="Rpps">The 11-digit RPPS number (Luhn-valid, in no real range).</param>
/// <param name="Profession">The profession label as the national directory spells it.</param>
public sealed record DevPractitioner(string Id, string GivenName, string FamilyName, string Rpps, string Profession)
{
    /// <summary>The mailbox, on the development domain.</summary>
    public string Address => $"{Id}@{DevPki.Domain}";

    /// <summary>National practitioner id as carried by IGC-Santé certificates: <c>8</c> followed by the RPPS.</summary>
    public string NationalId => "8" + Rpps;

    /// <summary>The name as a certificate subject shows it: given name then family name in capitals.</summary>
    public string DisplayName => $"{GivenName} {FamilyName.ToUpperInvariant()}";
}
