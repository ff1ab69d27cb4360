using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Secure;

/// <summary>
/// Who a certificate names, read the way IGC-Santé certificates carry it: the common name, given name and surname,
/// the national practitioner id (<c>8</c> + RPPS) in the subject's serialNumber, and the mailboxes in the
/// subject alternative name.
/// </summary>
public sealed record PractitionerIdentity(string DisplayName, string? GivenName, string? FamilyName, string? NationalId,
    IReadOnlyList<string> Mailboxes, string Thumbprint)
{
    const string SurnameOid = "2.5.4.4";
    const string GivenNameOid = "2.5.4.42";
    const string SerialNumberOid = "2.5.4.5";
    const string CommonNameOid = "2.5.4.3";
    const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>The RPPS number when the national id is an RPPS-based one (<c>8</c> + 11 digits).</summary>
    public string? Rpps => NationalId is { Length: 12 } id && id[0] == '8' && id.Skip(1).All(char.IsAsciiDigit) ? id[1..] : null;

    /// <summary>Reads the identity a certificate carries.</summary>
    public static PractitionerIdentity FromCertificate(X509Certificate2 certificate)
    {
        string? Attribute(string oid) => certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => !rdn.HasMultipleElements && rdn.GetSingleElementType().Value == oid)
            .Select(rdn => rdn.GetSingleElementValue())
            .FirstOrDefault();

        var given = Attribute(GivenNameOid);
        var family = Attribute(SurnameOid);
        var display = Attribute(CommonNameOid) ?? string.Join(' ', new[] { given, family }.Where(s => s is not null));
        return new PractitionerIdentity(display, given, family, Attribute(SerialNumberOid), Rfc822Names(certificate), certificate.Thumbprint);
    }

    /// <summary>True when the certificate names this mailbox (case-insensitive, as mail addresses are compared in practice).</summary>
    public bool HasMailbox(string address) => Mailboxes.Any(m => string.Equals(m, address, StringComparison.OrdinalIgnoreCase));

    /// <summary>The rfc822Name entries of the subject alternative name extension.</summary>
    public static IReadOnlyList<string> Rfc822Names(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[SubjectAltNameOid];
        if (extension is null)
        {
            return [];
        }
        var names = new List<string>();
        try
        {
            var sequence = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            var rfc822 = new Asn1Tag(TagClass.ContextSpecific, 1);
            while (sequence.HasData)
            {
                if (sequence.PeekTag().HasSameClassAndValue(rfc822))
                {
                    names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, rfc822));
                }
                else
                {
                    sequence.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension names nobody: the address check then fails with its own reason.
            return [];
        }
        return names;
    }
}
