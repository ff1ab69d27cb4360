using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MiSS.Core.Secure;
using MiSS.Core.Storage;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>
/// Imports Annuaire Santé FHIR R4 resources (a Bundle such as a searchset page, or a single Practitioner,
/// PractitionerRole or Organization) into the <see cref="DirectoryStore"/>. Every MSSanté address — a <c>telecom</c> of
/// system <c>email</c> marked by the <c>emailType</c> MSSANTE extension or carrying <c>as-ext-mailbox-mss-metadata</c> —
/// becomes one mailbox, its type taken from that metadata's <c>type</c> (PER, ORG, APP, CAB); one marked
/// <c>listeRouge</c> (its holder refused publication) is left out. Hand-modelled with
/// System.Text.Json (no FHIR SDK): unknown fields and extensions, which the directory's versions add and drop, are ignored.
/// <para>
/// With a <see cref="MessageStore"/>, the certificates of the <c>as-ext-digital-certificate</c> extension are kept too
/// (source <see cref="CertificateSource"/>): those of the resource that carries a mailbox and, for a Practitioner, those
/// of its PractitionerRoles; each one for every address of theirs that it names (subject alternative name). A value that
/// is not a certificate, or a certificate that names none of these addresses, is a rejected entry with its reason.
/// Whether a certificate may be used (chain to the anchors, validity) is checked when a message is encrypted with it.
/// </para>
/// </summary>
public sealed class AnnuaireFhirImporter(DirectoryStore store, MessageStore? certificates = null)
{
    /// <summary>The source name of the rows this importer writes; each file adds to (and updates) the previous ones.</summary>
    public const string Source = "fhir";

    /// <summary>The source of the certificates this importer keeps in the store's certificates table.</summary>
    public const string CertificateSource = "annuaire";

    const string DigitalCertificate = "as-ext-digital-certificate";

    const string MailboxMetadata = "as-ext-mailbox-mss-metadata";
    const string EmailType = "contact-point-email-type";

    static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Imports the JSON file at <paramref name="path"/>.</summary>
    public async Task<DirectoryImportResult> ImportAsync(string path, Action<DirectoryImportProgress>? progress = null, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(path);
        return await ImportAsync(stream, progress, ct);
    }

    /// <summary>
    /// Imports the resources read from <paramref name="stream"/>; throws <see cref="InvalidDataException"/> (French
    /// message) when it is not FHIR JSON. An entry without a usable address is reported with its position (entry number).
    /// With <paramref name="replace"/> the resources are a whole snapshot (a downloaded directory): the mailboxes of
    /// earlier FHIR imports that it no longer lists are removed; otherwise they are added to. <paramref name="check"/>
    /// may refuse the result before it is committed (<see cref="InvalidDataException"/>, nothing written).
    /// </summary>
    public async Task<DirectoryImportResult> ImportAsync(Stream stream, Action<DirectoryImportProgress>? progress = null, CancellationToken ct = default,
        bool replace = false, DirectoryImportCheck? check = null)
    {
        var watch = Stopwatch.StartNew();
        FhirResource root;
        try
        {
            root = await JsonSerializer.DeserializeAsync<FhirResource>(stream, Options, ct)
                ?? throw new InvalidDataException("fichier FHIR vide");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"fichier FHIR illisible : {e.Message}", e);
        }
        var resources = root.ResourceType == "Bundle" ? (root.Entry ?? []).Select(e => e.Resource).ToList() : [root];
        if (root.ResourceType is not ("Bundle" or "Practitioner" or "PractitionerRole" or "Organization"))
        {
            throw new InvalidDataException($"ressource FHIR inattendue « {root.ResourceType} » (Bundle, Practitioner, PractitionerRole ou Organization attendu)");
        }
        var byReference = new Dictionary<string, FhirResource>(StringComparer.Ordinal);
        foreach (var resource in resources.OfType<FhirResource>().Where(r => r.Id is not null))
        {
            byReference[$"{resource.ResourceType}/{resource.Id}"] = resource;
        }
        var roleOf = resources.OfType<FhirResource>().Where(r => r.ResourceType == "PractitionerRole" && r.Practitioner?.Reference is not null)
            .GroupBy(r => r.Practitioner!.Reference!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var rejected = new List<DirectoryRejection>();
        long duplicates = 0, imported;
        var rolesOf = resources.OfType<FhirResource>().Where(r => r.ResourceType == "PractitionerRole")
            .ToLookup(r => Resolve(r.Practitioner, byReference), ReferenceEqualityComparer.Instance);
        // Every certificate value of the file, with the addresses it may stand for.
        var offers = new Dictionary<FhirExtension, CertificateOffer>(ReferenceEqualityComparer.Instance);
        for (var index = 0; index < resources.Count; index++)
        {
            foreach (var value in CertificateValues(resources[index]))
            {
                offers[value] = new CertificateOffer(index + 1, $"{resources[index]!.ResourceType}/{resources[index]!.Id}", value, []);
            }
        }
        await using (var session = await store.BeginImportAsync(Source, replace, ct))
        {
            for (var index = 0; index < resources.Count; index++)
            {
                ct.ThrowIfCancellationRequested();
                if (resources[index] is not { } resource)
                {
                    continue;
                }
                var addresses = new List<string>();
                foreach (var telecom in resource.Telecom ?? [])
                {
                    if (!IsMssante(telecom) || IsRedListed(telecom))
                    {
                        continue;
                    }
                    var record = Record(resource, telecom, byReference, roleOf, out var reason);
                    if (record is null)
                    {
                        rejected.Add(new DirectoryRejection(index + 1, reason!));
                        continue;
                    }
                    if (!session.Add(record))
                    {
                        duplicates++;
                    }
                    addresses.Add(record.Address.ToLowerInvariant());
                }
                // A Practitioner's mailbox takes the certificates of its roles as well as its own.
                var carriers = resource.ResourceType == "Practitioner" ? rolesOf[resource].Prepend(resource) : [resource];
                foreach (var value in carriers.SelectMany(CertificateValues))
                {
                    offers[value].Addresses.UnionWith(addresses);
                }
                progress?.Invoke(new DirectoryImportProgress(index + 1, session.Imported));
            }
            session.Complete(new DirectoryImportResult(session.Imported, duplicates, rejected, watch.Elapsed), check);
            imported = session.Imported;
        }
        var saved = certificates is null ? 0 : await SaveCertificatesAsync(certificates, offers.Values, rejected, ct);
        return new DirectoryImportResult(imported, duplicates, [.. rejected.OrderBy(r => r.Line)], watch.Elapsed, saved);
    }

    /// <summary>The <c>value</c> sub-extensions of the resource's <c>as-ext-digital-certificate</c> extensions.</summary>
    static IEnumerable<FhirExtension> CertificateValues(FhirResource? resource) =>
        (resource?.Extension ?? []).Where(e => e.Url?.EndsWith(DigitalCertificate, StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Extension ?? []).Where(x => x.Url == "value"));

    /// <summary>A certificate value, where it was found, and the MSSanté addresses it may be kept for.</summary>
    sealed record CertificateOffer(int Entry, string Resource, FhirExtension Value, HashSet<string> Addresses);

    /// <summary>Keeps each certificate for the addresses it names; the others become rejections. Returns how many were kept.</summary>
    static async Task<long> SaveCertificatesAsync(MessageStore certificates, IEnumerable<CertificateOffer> offers, List<DirectoryRejection> rejected,
        CancellationToken ct)
    {
        long saved = 0;
        foreach (var offer in offers)
        {
            X509Certificate2 certificate;
            try
            {
                certificate = CertificateEncoding.FromDirectoryValue(offer.Value.ValueAttachment?.Data ?? "");
            }
            catch (CryptographicException e)
            {
                rejected.Add(new DirectoryRejection(offer.Entry, $"entrée {offer.Resource} : certificat illisible ({e.Message})"));
                continue;
            }
            var identity = PractitionerIdentity.FromCertificate(certificate);
            var named = offer.Addresses.Where(identity.HasMailbox).ToList();
            if (named.Count == 0)
            {
                var known = offer.Addresses.Count == 0 ? "la ressource n'a pas d'adresse MSSanté" : "adresses " + string.Join(", ", offer.Addresses.Order());
                rejected.Add(new DirectoryRejection(offer.Entry,
                    $"entrée {offer.Resource} : le certificat « {certificate.Subject} » ne nomme aucune adresse MSSanté de la ressource ({known})"));
                continue;
            }
            foreach (var address in named)
            {
                await certificates.SaveCertificateAsync(address, certificate, CertificateSource, ct);
            }
            saved++;
        }
        return saved;
    }

    static bool IsMssante(FhirContactPoint telecom) =>
        telecom.System == "email" && (telecom.Extension ?? []).Any(e =>
            e.Url?.EndsWith(MailboxMetadata, StringComparison.Ordinal) == true
            || (e.Url?.EndsWith(EmailType, StringComparison.Ordinal) == true && e.ValueCoding?.Code == "MSSANTE"));

    /// <summary>A mailbox on the red list (<c>listeRouge</c>) must not be shown in a directory: it is left out.</summary>
    static bool IsRedListed(FhirContactPoint telecom) =>
        (telecom.Extension ?? []).Any(e => e.Url?.EndsWith(MailboxMetadata, StringComparison.Ordinal) == true
                                           && e.Extension?.Any(x => x.Url == "listeRouge" && x.ValueBoolean == true) == true);

    static DirectoryRecord? Record(FhirResource resource, FhirContactPoint telecom, Dictionary<string, FhirResource> byReference,
        Dictionary<string, FhirResource> roleOf, out string? reason)
    {
        reason = null;
        var address = telecom.Value?.Trim();
        if (string.IsNullOrEmpty(address) || address.Count(c => c == '@') != 1)
        {
            reason = $"entrée {resource.ResourceType}/{resource.Id} : adresse MSSanté invalide « {address} »";
            return null;
        }
        var metadata = (telecom.Extension ?? []).FirstOrDefault(e => e.Url?.EndsWith(MailboxMetadata, StringComparison.Ordinal) == true);
        var typeCode = metadata?.Extension?.FirstOrDefault(e => e.Url == "type")?.ValueCodeableConcept?.Coding?.FirstOrDefault()?.Code;
        var service = metadata?.Extension?.FirstOrDefault(e => e.Url == "service")?.ValueString;

        FhirResource? practitioner = null, role = null, organisation = null;
        switch (resource.ResourceType)
        {
            case "Practitioner":
                practitioner = resource;
                role = roleOf.GetValueOrDefault($"Practitioner/{resource.Id}");
                break;
            case "PractitionerRole":
                role = resource;
                practitioner = Resolve(resource.Practitioner, byReference);
                break;
            case "Organization":
                organisation = resource;
                break;
        }
        organisation ??= Resolve(role?.Organization, byReference);
        // Without metadata, a practitioner's mailbox is personal and a structure's organisational.
        var type = DirectoryStore.MailboxTypeFromCode(typeCode) ?? (organisation == resource ? "organisationnelle" : "personnelle");

        var names = practitioner?.HumanNames;
        var name = names?.FirstOrDefault(n => n.Use == "official") ?? names?.FirstOrDefault();
        var family = name?.Family;
        var given = name?.Given is { Count: > 0 } g ? string.Join(' ', g) : null;
        var rpps = practitioner?.Identifier?.FirstOrDefault(i => i.System == "https://rpps.esante.gouv.fr")?.Value;
        var nationalId = practitioner?.Identifier?.FirstOrDefault(i => i.System == "urn:oid:1.2.250.1.71.4.2.1")?.Value;
        if (rpps is null && nationalId is { Length: 12 } && nationalId[0] == '8')
        {
            rpps = nationalId[1..];
        }
        var organisationName = organisation?.OrganisationName;
        var place = organisation?.Address?.FirstOrDefault() ?? practitioner?.Address?.FirstOrDefault();
        var person = string.Join(' ', new[] { given, family }.Where(p => !string.IsNullOrWhiteSpace(p)));
        var display = person.Length > 0 ? person : organisationName ?? address;
        return new DirectoryRecord(address, type, display, name?.Prefix?.FirstOrDefault(), family, given, rpps, nationalId,
            Label(role?.Code), Label(role?.Specialty), organisationName, service, City(place), place?.PostalCode);
    }

    static FhirResource? Resolve(FhirReference? reference, Dictionary<string, FhirResource> byReference)
    {
        if (reference?.Reference is not { } value)
        {
            return null;
        }
        var parts = value.Split('/');
        return parts.Length >= 2 ? byReference.GetValueOrDefault($"{parts[^2]}/{parts[^1]}") : null;
    }

    /// <summary>The profession (or specialty): a coding's display, else a known health-profession code, else the code.</summary>
    static string? Label(List<FhirCodeableConcept>? concepts)
    {
        foreach (var concept in concepts ?? [])
        {
            foreach (var coding in concept.Coding ?? [])
            {
                var fromProfessions = coding.System?.Contains("TRE_G15", StringComparison.Ordinal) == true;
                var fromSpecialties = coding.System?.Contains("TRE_R38", StringComparison.Ordinal) == true;
                if (!fromProfessions && !fromSpecialties)
                {
                    continue;
                }
                return coding.Display ?? concept.Text ?? (fromProfessions ? ProfessionLabel(coding.Code) : null) ?? coding.Code;
            }
        }
        return null;
    }

    static string? ProfessionLabel(string? code) => code switch
    {
        "10" => "Médecin",
        "21" => "Pharmacien",
        "40" => "Chirurgien-Dentiste",
        "50" => "Sage-Femme",
        "60" => "Infirmier",
        "70" => "Masseur-Kinésithérapeute",
        "80" => "Pédicure-Podologue",
        _ => null,
    };

    /// <summary>The city, without the postcode the directory puts before it ("92140 CLAMART").</summary>
    static string? City(FhirAddress? address)
    {
        if (address?.City is not { } city)
        {
            return null;
        }
        var space = city.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && city[..space].All(char.IsAsciiDigit) ? city[(space + 1)..] : city;
    }

#pragma warning disable CA1812 // instantiated by System.Text.Json
    /// <summary>
    /// The fields MiSS reads of Bundle, Practitioner, PractitionerRole and Organization in one shape. <c>name</c> is a
    /// list of HumanName on a Practitioner and a string on an Organization, so it stays a <see cref="JsonElement"/>.
    /// </summary>
    sealed record FhirResource(string? ResourceType, string? Id, List<FhirEntry>? Entry, List<FhirIdentifier>? Identifier,
        JsonElement Name, List<FhirContactPoint>? Telecom, List<FhirAddress>? Address, FhirReference? Practitioner,
        FhirReference? Organization, List<FhirCodeableConcept>? Code, List<FhirCodeableConcept>? Specialty, List<FhirExtension>? Extension)
    {
        public string? OrganisationName => Name.ValueKind == JsonValueKind.String ? Name.GetString() : null;

        public List<FhirHumanName>? HumanNames => Name.ValueKind == JsonValueKind.Array ? Name.Deserialize<List<FhirHumanName>>(Options) : null;
    }

    sealed record FhirEntry(string? FullUrl, FhirResource? Resource);
    sealed record FhirIdentifier(string? System, string? Value);
    sealed record FhirHumanName(string? Use, string? Family, List<string>? Given, List<string>? Prefix);
    sealed record FhirContactPoint(string? System, string? Value, List<FhirExtension>? Extension);
    sealed record FhirExtension(string? Url, List<FhirExtension>? Extension, FhirCodeableConcept? ValueCodeableConcept, FhirCoding? ValueCoding,
        string? ValueString, bool? ValueBoolean, FhirAttachment? ValueAttachment);
    sealed record FhirAttachment(string? ContentType, string? Data);
    sealed record FhirCodeableConcept(List<FhirCoding>? Coding, string? Text);
    sealed record FhirCoding(string? System, string? Code, string? Display);
    sealed record FhirReference(string? Reference);
    sealed record FhirAddress(string? City, string? PostalCode);
#pragma warning restore CA1812
}
