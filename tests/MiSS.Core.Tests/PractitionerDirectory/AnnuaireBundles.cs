using System.Security.Cryptography.X509Certificates;
using MiSS.DevEnvironment;

namespace MiSS.Core.Tests.PractitionerDirectory;

/// <summary>Annuaire Santé FHIR resources shaped like the ANS examples (DR profiles), built around the dev PKI's practitioners.</summary>
public static class AnnuaireBundles
{
    const string CertificateExtension = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-digital-certificate";
    const string MailboxExtension = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata";

    /// <summary>The extension as the directory's DR profiles carry it, its certificate given as <paramref name="data"/>.</summary>
    public static string Certificate(string data, X509Certificate2? described = null) => $$"""
        {"url":"{{CertificateExtension}}","extension":[
          {"url":"serialNumber","valueString":"{{described?.SerialNumber ?? "00"}}"},
          {"url":"issuer","valueString":"{{described?.Issuer ?? "?"}}"},
          {"url":"subject","valueString":"{{described?.Subject ?? "?"}}"},
          {"url":"validity","valuePeriod":{"start":"2025-01-01T00:00:00+01:00","end":"2028-01-01T00:00:00+01:00"} },
          {"url":"domain","valueString":"dev.mssante.test"},
          {"url":"keyUsage","valueString":"keyEncipherment"},
          {"url":"value","valueAttachment":{"contentType":"application/pkix-cert","data":"{{data}}"} }]}
        """;

    public static string Mailbox(string address) => $$"""
        {"system":"email","value":"{{address}}","extension":[{"url":"{{MailboxExtension}}",
          "extension":[{"url":"type","valueCodeableConcept":{"coding":[{"system":"https://interop.esante.gouv.fr/ig/fhir/annuaire/CodeSystem/TRE-R257-TypeBAL","code":"PER"}]} }]}]}
        """;

    public static string Practitioner(DevPractitioner p, string id, string telecom = "", string extension = "", string? nationalId = null,
        string? family = null) => $$"""
        {"resourceType":"Practitioner","id":"{{id}}","meta":{"profile":["https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-dr-practitioner"]},
         "extension":[{{extension}}],
         "identifier":[{"use":"official","type":{"coding":[{"system":"https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203","code":"IDNPS"}]},
           "system":"urn:oid:1.2.250.1.71.4.2.1","value":"{{nationalId ?? p.NationalId}}"}],
         "name":[{"use":"official","family":"{{family ?? p.FamilyName.ToUpperInvariant()}}","given":["{{p.GivenName}}"]}],
         "address":[{"city":"58000 NEVERS","postalCode":"58000"}],
         "telecom":[{{telecom}}]}
        """;

    public static string Role(string id, string practitioner, string telecom = "", string extension = "") => $$"""
        {"resourceType":"PractitionerRole","id":"{{id}}","extension":[{{extension}}],"active":true,
         "practitioner":{"reference":"Practitioner/{{practitioner}}"},
         "code":[{"coding":[{"system":"https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante","code":"10"}]}],
         "telecom":[{{telecom}}]}
        """;

    public static string Bundle(params string[] resources) =>
        $$"""{"resourceType":"Bundle","type":"searchset","entry":[{{string.Join(',', resources.Select(r => $$"""{"resource":{{r}}}"""))}}]}""";

    /// <summary>The certificate as base64 of its DER, as the directory documents the extension's value.</summary>
    public static string Base64Der(X509Certificate2 certificate) => Convert.ToBase64String(certificate.RawData);
}
